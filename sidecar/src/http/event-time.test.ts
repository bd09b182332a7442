import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIsoUtc } from '../kernel/index.js';
import { dialects } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { confirmed, tick } from '../testing/events.js';
import { writtenCounts } from './stripe-fixtures.test-helper.js';
import { loadConfig } from '../config.js';
import { clockTickFor } from '../sari/clock-ticker.js';
import { storeInboxEvent } from '../sari/inbox.js';

// Issue #13, time: the sender may not set the time beyond a small skew.
const NOW_MS = Date.parse('2026-09-10T12:00:00Z');

test('EVENT_MAX_SKEW_S defaults to 300 s and CLOCK_TICK_S to 60 s; bad values stop the start naming the variable', () => {
  const base = { DATABASE_URL: 'sqlite:/tmp/x.sqlite', SIDECAR_KEYS: 'be1:0123456789abcdef0123456789abcdef:booking-engine' };
  const c = loadConfig(base);
  assert.equal(c.eventMaxSkew_s, 300);
  assert.equal(c.clockTick_s, 60);
  assert.throws(() => loadConfig({ ...base, EVENT_MAX_SKEW_S: '-1' }), /EVENT_MAX_SKEW_S/);
  assert.throws(() => loadConfig({ ...base, EVENT_MAX_SKEW_S: '99999' }), /EVENT_MAX_SKEW_S/);
  assert.throws(() => loadConfig({ ...base, CLOCK_TICK_S: 'often' }), /CLOCK_TICK_S/);
});

for (const dialect of dialects()) {
  describe(`event time on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      // The sidecar's wall clock is pinned; signatures are made with the same clock.
      h = await startHarness(dialect, { now_ms: () => NOW_MS });
    });
    after(async () => h?.stop());

    test('a clock.tick dated 9999 (signed by the engine) is refused with event_from_future and writes nothing', async () => {
      await h.sidecar.dispatcher.drain();
      const counts = await writtenCounts(h.sidecar.db);
      for (const at of ['9999-12-31T23:59:59Z', formatIsoUtc(NOW_MS + 301_000)]) {
        const r = await h.engine.event(tick(at));
        assert.equal(r.status, 422, r.text);
        assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(r.body.code, 'event_from_future');
        assert.equal(r.body.field, 'occurred_at');
        assert.equal(r.body.max_skew_s, 300);
      }
      const future = confirmed(formatIsoUtc(NOW_MS + 3_600_000), { booking_id: 'bk_future_1', payment_intent_id: 'pi_future_1' });
      assert.equal((await h.engine.event(future)).body.code, 'event_from_future', 'any event type, not only ticks');
      await h.sidecar.dispatcher.drain();
      assert.deepEqual(await writtenCounts(h.sidecar.db), counts);
    });

    test('within the skew, and any time in the past, an event is accepted', async () => {
      assert.equal((await h.engine.event(tick(formatIsoUtc(NOW_MS + 300_000)))).status, 202, 'exactly at the skew');
      assert.equal((await h.engine.event(tick(formatIsoUtc(NOW_MS)))).status, 202);
      assert.equal((await h.engine.event(tick('2020-01-01T00:00:00Z'))).status, 202, 'the engine may catch up');
    });

    test('the sidecar\'s own tick is an event of source clock, at its own time, once per second at most, and is dispatched', async () => {
      const store = (i: Parameters<typeof storeInboxEvent>[1]) => storeInboxEvent(h.sidecar.db, i);
      // The built-in ticker's event (sari/clock-ticker.ts), one per interval: a second write in it is a duplicate.
      const a = await store(clockTickFor(NOW_MS, 1000));
      const b = await store(clockTickFor(NOW_MS + 900, 1000));
      assert.equal(b.duplicate, true);
      assert.equal(b.inbox_id, a.inbox_id);
      const row = await h.sidecar.db('inbox_events').where({ id: a.inbox_id }).first();
      assert.deepEqual([row.source, row.type, row.occurred_at, row.received_at], ['clock', 'clock.tick', formatIsoUtc(NOW_MS), formatIsoUtc(NOW_MS)]);
      h.sidecar.dispatcher.noteStored(a.inbox_id);
      await h.sidecar.dispatcher.drain();
      const result = await h.sidecar.db('event_results').where({ inbox_id: a.inbox_id }).first();
      assert.ok(result, 'dispatched');
      assert.notEqual(result.code, 'unhandled_type', 'the clock source has a handler');
    });
  });
}
