import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { confirmed, total } from '../../testing/events.js';
import { paymentSucceeded } from '../../http/stripe-fixtures.test-helper.js';
import { readPolicyDir } from '../../policy-files.js';
import { publishPolicies } from '../publish-policies.js';
import { Dispatcher } from '../dispatcher.js';

const silent = pino({ level: 'silent' });
let n = 0;
function row(source: string, type: string, stream_key: string, occurred_at: string, body: unknown) {
  const payload = JSON.stringify(body);
  n++;
  return { source, event_id: (body as { id: string }).id, type, stream_key, occurred_at, payload, payload_hash: `sha256:${createHash('sha256').update(payload).digest('hex')}`, received_at: occurred_at };
}

for (const dialect of dialects()) {
  describe(`one batch on ${dialect}`, () => {
    let t: TestDatabase;
    after(async () => t?.drop());

    test('a refused and a parked event cost the rest of their batch nothing, and a later event of the batch unparks', async () => {
      t = await freshDatabase(dialect);
      await publishPolicies(t.db, readPolicyDir('./policies'), Date.parse('2026-07-01T00:00:00Z'));
      await new Dispatcher(t.db, { logger: silent }).drain();
      const a = confirmed('2026-08-01T10:00:00Z', { booking_id: 'bk_b1', payment_intent_id: 'pi_b1x' });
      const b = confirmed('2026-08-01T10:01:00Z', { booking_id: 'bk_b2', payment_intent_id: 'pi_b2x' });
      const created = Math.floor(Date.parse('2026-08-01T11:00:00Z') / 1000);
      const rows = [
        row('booking', 'booking.confirmed', 'bk_b1', a.occurred_at, a),
        // A payment intent that names bk_b1 but is not its payment intent: refused for good (dead letter + flag).
        row('stripe', 'payment_intent.succeeded', 'bk_b1', '2026-08-01T11:00:00Z', paymentSucceeded({ booking_id: 'bk_b1', payment_intent_id: 'pi_b1wrong', amount: total(a.data), created })),
        // bk_b2's payment before its confirmation: parked, then unparked by the confirmation in the same batch.
        row('stripe', 'payment_intent.succeeded', 'bk_b2', '2026-08-01T11:00:01Z', paymentSucceeded({ booking_id: 'bk_b2', payment_intent_id: 'pi_b2x', amount: total(b.data), created: created + 1 })),
        row('booking', 'booking.confirmed', 'bk_b2', b.occurred_at, b),
        row('stripe', 'payment_intent.succeeded', 'bk_b1', '2026-08-01T11:00:02Z', paymentSucceeded({ booking_id: 'bk_b1', payment_intent_id: 'pi_b1x', amount: total(a.data), created: created + 2 })),
      ];
      await t.db('inbox_events').insert(rows);
      const statuses: string[] = [];
      const d = new Dispatcher(t.db, { logger: silent, batchSize: 500, onResult: (s) => statuses.push(s) });
      assert.equal(await d.runOnce(true), 5, 'one batch');
      assert.deepEqual(statuses, ['processed', 'dead_lettered', 'parked', 'processed', 'processed', 'processed']);
      const results = await t.db('event_results as r').join('inbox_events as i', 'i.id', 'r.inbox_id').where('i.source', '<>', 'policy').orderBy('r.id').select('i.type', 'i.stream_key', 'r.status', 'r.code');
      assert.deepEqual(results.map((r: { stream_key: string; status: string }) => `${r.stream_key}:${r.status}`), ['bk_b1:processed', 'bk_b1:dead_lettered', 'bk_b2:processed', 'bk_b2:processed', 'bk_b1:processed']);
      const flags = await t.db('booking_flags').select('booking_id', 'code');
      assert.deepEqual(flags.map((f: { booking_id: string; code: string }) => `${f.booking_id}:${f.code}`), ['bk_b1:payment_intent_mismatch']);
      const payments = await t.db('journal_entries').where({ kind: 'payment_received' }).orderBy('seq').select('booking_id');
      assert.deepEqual(payments.map((p: { booking_id: string }) => p.booking_id), ['bk_b2', 'bk_b1'], 'both paid, nothing of the refused event posted');
      assert.equal((await t.db('event_parkings').select('id')).length, 1, 'the parking is on record');
      assert.ok(n > 0);
    });
  });
}
