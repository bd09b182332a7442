import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { dialects, freshDatabase } from '../testing/databases.js';
import { startHarness } from '../testing/harness.js';
import { checkedIn, confirmed, hostConnected, total } from '../testing/events.js';
import { replayInto } from '../pipeline/replay.js';
import { storeInboxEvent } from './inbox.js';
import { ClockTicker, clockTickFor } from './clock-ticker.js';

const silent = pino({ level: 'silent' });

for (const dialect of dialects()) {
  describe(`the built-in clock on ${dialect}`, () => {
    test('with no clock.tick from outside, a payout due in the past is sent soon after start; replay of that log gives the same head', async () => {
      // A short interval stands in for the minute; the wall clock is the machine's own.
      const h = await startHarness(dialect, { stripe: true, config: { clockTick_s: 1 } });
      const started = Date.now();
      try {
        const ev = confirmed('2026-01-05T10:00:00Z', { booking_id: 'bk_clock_1', payment_intent_id: 'pi_placeholder', check_in: '2026-02-01', check_out: '2026-02-03' });
        ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_clock_1' } }).id;
        assert.equal((await h.engine.event(hostConnected('host_1', 'acct_1HostClock', '2026-01-05T09:00:00Z'))).status, 202);
        assert.equal((await h.engine.event(ev)).status, 202);
        assert.equal((await h.engine.event(checkedIn('bk_clock_1', '2026-02-01T14:05:00Z'))).status, 202);
        while (h.fake!.state.transfers.size === 0) {
          assert.ok(Date.now() - started < 120_000, 'the payout was not sent within two minutes of start');
          await h.settle();
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal([...h.fake!.state.transfers.values()][0]!.destination, 'acct_1HostClock');
        await h.sidecar.clock!.stop();
        await h.settle();
        assert.equal((await h.reader.get('/bookings/bk_clock_1')).body.state, 'paid_out');

        const ticks = await h.sidecar.db('inbox_events').where({ type: 'clock.tick' }).select('source', 'event_id', 'occurred_at');
        assert.ok(ticks.length >= 1);
        for (const t of ticks) {
          assert.equal(t.source, 'clock', 'every tick is the sidecar\'s own');
          assert.equal(t.event_id, `tick:${t.occurred_at}`, 'a tick is named by its interval');
        }
        const payout = await h.sidecar.db('decisions').where({ action: 'host_payout' }).first('evaluated_at');
        assert.ok(ticks.some((t) => t.occurred_at === payout.evaluated_at), 'the payout was decided at a tick\'s own time');
        const fate = await h.operator.get(`/inbox/clock/${encodeURIComponent(`tick:${payout.evaluated_at}`)}`);
        assert.equal(fate.status, 200, fate.text);
        assert.equal(fate.body.status, 'processed', 'the tick that paid is visible with its fate, like any event');

        await h.sidecar.outbox?.stop();
        await h.sidecar.dispatcher.stop();
        const target = await freshDatabase(dialect);
        try {
          const report = await replayInto(h.sidecar.db, target.db, { logger: silent });
          assert.equal(report.identical, true, JSON.stringify(report));
          assert.equal(report.replayed.head_hash, report.source.head_hash);
          assert.ok(report.source.entries >= 3);
        } finally {
          await target.drop();
        }
      } finally {
        await h.stop();
      }
    });

    test('one ticker across replicas: the lease is claimed by inserted rows, the newest valid claim wins, a tick is stored once', async () => {
      const t = await freshDatabase(dialect);
      try {
        let now = Date.parse('2026-12-01T10:00:30Z');
        const stored: number[] = [];
        const make = (holder: string) => new ClockTicker({ db: t.db, store: (i) => storeInboxEvent(t.db, i), onStored: (id) => stored.push(id), logger: silent, interval_ms: 60_000, now_ms: () => now, holder });
        const a = make('replica-a');
        const b = make('replica-b');
        const first = await a.tickOnce();
        assert.ok(first && !first.duplicate);
        assert.equal(await b.tickOnce(), null, 'b stands down while a holds the lease');
        now += 60_000;
        assert.ok(await a.tickOnce());
        assert.equal(await b.tickOnce(), null);
        // a stops renewing (crashed): once its claim expires, b takes over and ticks the minute
        now += 4 * 60_000;
        const taken = await b.tickOnce();
        assert.ok(taken && !taken.duplicate);
        assert.equal(await a.tickOnce(), null, 'a comes back and finds b holding the lease');
        const claims = await t.db('clock_lease_claims').orderBy('id').select('holder');
        assert.deepEqual(claims.map((c: { holder: string }) => c.holder), ['replica-a', 'replica-b'], 'a renews only past half its lease; b claims once');
        const ticks = await t.db('inbox_events').where({ source: 'clock' }).orderBy('id').select('event_id');
        assert.deepEqual(ticks.map((r: { event_id: string }) => r.event_id), ['tick:2026-12-01T10:00:00Z', 'tick:2026-12-01T10:01:00Z', 'tick:2026-12-01T10:05:00Z']);
        assert.equal(stored.length, 3);
        // two replicas racing on the same minute write one row: the second store is a duplicate, not a conflict
        const again = await storeInboxEvent(t.db, { ...clockTickFor(now + 5_000, 60_000) });
        assert.equal(again.duplicate, true);
        await assert.rejects(t.admin('clock_lease_claims').update({ holder: 'x' }), /append-only/);
      } finally {
        await t.drop();
      }
    });
  });
}
