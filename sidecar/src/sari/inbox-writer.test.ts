import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { isDomainError } from '../kernel/index.js';
import { InboxWriter } from './inbox-writer.js';
import { storeInboxEvent, type InboxEventInput } from './inbox.js';

const ev = (event_id: string, payload = `{"id":"${event_id}"}`, source: InboxEventInput['source'] = 'booking'): InboxEventInput => ({
  source, event_id, type: 'clock.tick', stream_key: null, occurred_at: '2026-09-01T00:00:00Z', payload, received_at: '2026-09-01T00:00:00Z',
});

for (const dialect of dialects()) {
  describe(`inbox group commit on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => { t = await freshDatabase(dialect); });
    after(async () => t.drop());

    test('concurrent stores share commits, keep arrival order, and answer each request on its own', async () => {
      const w = new InboxWriter(t.db);
      const inputs = Array.from({ length: 300 }, (_, i) => ev(`g_${String(i).padStart(3, '0')}`));
      const results = await Promise.all([...inputs, inputs[5]!, inputs[7]!].map((i) => w.store(i)));
      assert.equal(results.filter((r) => !r.duplicate).length, 300);
      assert.equal(results[300]!.duplicate, true);
      assert.equal(results[300]!.inbox_id, results[5]!.inbox_id);
      const ids = results.slice(0, 300).map((r) => r.inbox_id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'inbox order is arrival order');
      const rows = await t.db('inbox_events').where('event_id', 'like', 'g_%').count({ n: '*' }).first();
      assert.equal(Number(rows?.n), 300);
    });

    test('the same booking event id with another body is a conflict for that request only; Stripe resends are duplicates', async () => {
      const w = new InboxWriter(t.db);
      const [a, b, c, d] = await Promise.allSettled([
        w.store(ev('c_1', '{"v":1}')), w.store(ev('c_1', '{"v":2}')), w.store(ev('c_2')),
        w.store(ev('evt_1', '{"pending_webhooks":1}', 'stripe')),
      ]);
      assert.equal(a.status, 'fulfilled');
      assert.equal(b.status, 'rejected');
      assert.ok(isDomainError((b as PromiseRejectedResult).reason, 'idempotency_conflict'));
      assert.equal(c.status, 'fulfilled');
      assert.equal(d.status, 'fulfilled');
      const again = await w.store(ev('evt_1', '{"pending_webhooks":2}', 'stripe'));
      assert.equal(again.duplicate, true);
    });

    // Found by the simulation: a host's plan change and then its cancellation both get the same
    // subscription back from Stripe (`subscription:<s>`), changed; the second was refused as a
    // conflict, so the cancellation's intent could never record its answer and ended exhausted.
    test('a Stripe API object answered again, changed, is a duplicate (the webhooks report the change), in both writers', async () => {
      const w = new InboxWriter(t.db);
      const first = await w.store(ev('subscription:sub_1', '{"id":"sub_1","cancel_at_period_end":false}', 'stripe_api'));
      const later = await w.store(ev('subscription:sub_1', '{"id":"sub_1","cancel_at_period_end":true}', 'stripe_api'));
      assert.equal(later.duplicate, true);
      assert.equal(later.inbox_id, first.inbox_id);
      const direct = await storeInboxEvent(t.db, ev('subscription:sub_1', '{"id":"sub_1","cancel_at":1}', 'stripe_api'));
      assert.equal(direct.duplicate, true);
      assert.equal(direct.inbox_id, first.inbox_id);
    });
  });
}
