import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { Dispatcher } from './dispatcher.js';

// Inbox ids are taken when an insert starts and become visible when it commits. Another process's
// slow commit leaves a hole that fills late; the dispatcher may pass over it (gap grace), but must
// come back for it: an acknowledged event is never left undispatched.
const row = (id: number, received_at: string) => ({
  id, source: 'stripe', event_id: `evt_gap_${id}`, type: 'gap.test_unhandled', stream_key: null,
  occurred_at: '2026-09-01T00:00:00Z', payload: JSON.stringify({ id: `evt_gap_${id}` }), payload_hash: `sha256:${'0'.repeat(64)}`, received_at,
});

for (const dialect of dialects()) {
  describe(`dispatcher and inbox holes on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
    });
    after(async () => t?.drop());

    const statusOf = async (id: number) => (await t.db('event_results').where({ inbox_id: id }).first('status'))?.status ?? null;

    test('an event committed late into a hole the dispatcher passed over is still dispatched', async () => {
      let now = Date.parse('2026-09-01T00:00:10Z');
      const d = new Dispatcher(t.db, { logger: pino({ level: 'silent' }), gapGrace_ms: 500, now_ms: () => now });
      await t.db('inbox_events').insert(row(1, '2026-09-01T00:00:00Z'));
      await t.db('inbox_events').insert(row(3, '2026-09-01T00:00:10Z')); // 2 is "still committing"
      assert.equal(await d.runOnce(), 1, 'waits at the hole while it is young');
      assert.equal(await statusOf(3), null);
      now += 1000;
      assert.equal(await d.runOnce(), 1, 'passes over it once the grace is over');
      assert.equal(await statusOf(3), 'ignored');

      await t.db('inbox_events').insert(row(2, '2026-09-01T00:00:09Z')); // the slow commit lands
      now += 10;
      await d.runOnce();
      await d.runOnce();
      assert.equal(await statusOf(2), 'ignored', 'the late event got its result');
      assert.equal(await d.runOnce(), 0);
    });

    test('drain() (which ignores gaps) also comes back for a hole filled later', async () => {
      const d = new Dispatcher(t.db, { logger: pino({ level: 'silent' }) });
      await d.drain();
      const base = Number((await t.db('inbox_events').max({ m: 'id' }).first())?.m) + 10;
      await t.db('inbox_events').insert(row(base + 2, '2026-09-01T00:01:00Z'));
      await d.drain();
      assert.equal(await statusOf(base + 2), 'ignored');
      await t.db('inbox_events').insert(row(base + 1, '2026-09-01T00:01:00Z'));
      await d.drain();
      assert.equal(await statusOf(base + 1), 'ignored');
    });
  });
}
