/**
 * Regression (found by the simulation, issue #18): a replica killed after an outbox failure entered
 * the log (`attempt:<intent>:<n>`) and before its attempt row was written. The next try reuses
 * number n with another body; the inbox refused it (idempotency_conflict) and the whole outbox pass
 * threw there — every later pass too, so every intent after it stayed stuck. Now the pass goes on:
 * the failure of number n is already in the log, the attempt row is written, the refund is made.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { startHarness } from '../testing/harness.js';
import { addIntent, intentIdFor, intentsWithStatus } from '../flows/outbox/intents.js';
import { ingestOutboxFailure } from '../sari/outbox-failure.js';
import { InboxWriter } from '../sari/inbox-writer.js';

for (const dialect of dialects()) {
  describe(`outbox attempt number reused after a crash, on ${dialect}`, () => {
    test('the pass goes on, the attempt is recorded, and the refund is made once', { timeout: 120_000 }, async () => {
      const h = await startHarness(dialect, { stripe: true });
      try {
        await h.sidecar.outbox!.stop();
        const pi = h.fake!.createPayment({ amount: 50_000, currency: 'usd', metadata: { booking_id: 'bk_reuse' } });
        const decision_id = 'dec_reuse_1';
        const intent_id = intentIdFor('refund', decision_id);
        await addIntent(h.sidecar.db, { intent_id, decision_id, booking_id: 'bk_reuse', operation: 'refund', inbox_id: 1, params: { payment_intent: pi.id, amount: 1000, currency: 'usd', metadata: { booking_id: 'bk_reuse', decision_id } } });
        // the killed replica's failure of attempt 1: in the log, with no attempt row
        const writer = new InboxWriter(h.sidecar.db);
        await ingestOutboxFailure((x) => writer.store(x), { intent_id, attempt: 1, round_ended: false, http_status: 500, error_code: 'api_error', error_message: 'before the crash', request_id: 'req_before', transport_retryable: true }, '2026-01-01T00:00:00Z', Date.now());
        h.fake!.faults.next({ status: 503, path: /^\/v1\/refunds$/, count: 1 });
        assert.equal(await h.sidecar.outbox!.runOnce(Date.now()), 1, 'the pass did not throw');
        let s = (await intentsWithStatus(h.sidecar.db, { intent_ids: [intent_id] }))[0]!;
        assert.deepEqual(s.attempts.map((a) => [a.attempt, a.outcome]), [[1, 'retryable']]);
        assert.equal(await h.sidecar.outbox!.runOnce(Date.now() + 3_600_000), 1);
        s = (await intentsWithStatus(h.sidecar.db, { intent_ids: [intent_id] }))[0]!;
        assert.equal(s.status, 'succeeded');
        assert.equal([...h.fake!.state.refunds.values()].filter((r) => r.metadata?.decision_id === decision_id).length, 1);
      } finally {
        await h.stop();
      }
    });
  });
}
