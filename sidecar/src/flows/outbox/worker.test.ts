/**
 * The outbox worker on both dialects, with the real SDK against the Stripe fake: attempts are
 * appended (never changed), retries wait for next_attempt_at, final answers stop retrying,
 * exhaustion is recorded, and a local failure after Stripe answered never hides that answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { pino } from 'pino';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { startStripeFake, type StripeFake } from '../../stripe-fake/index.js';
import { addIntent, allIntents, intentIdFor, intentsWithStatus, type IntentStatus } from './intents.js';
import { OutboxWorker, type OutboxWorkerOptions } from './worker.js';

const logger = pino({ level: 'silent' });

for (const dialect of dialects()) {
  describe(`outbox worker on ${dialect}`, () => {
    let t: TestDatabase;
    let fake: StripeFake;
    let stripe: Stripe;
    let pi: Stripe.PaymentIntent;
    let seq = 0;
    const seen: Array<{ intent: string; id: unknown }> = [];

    before(async () => {
      t = await freshDatabase(dialect);
      fake = await startStripeFake({ idTag: `w${dialect}` });
      stripe = new Stripe('sk_test_worker', { ...fake.sdkOptions, maxNetworkRetries: 0, timeout: 300, telemetry: false });
      pi = fake.createPayment({ amount: 1_000_000, currency: 'usd', metadata: { booking_id: 'bk_worker' } });
    });
    after(async () => {
      await fake?.close();
      await t?.drop();
    });

    const worker = (o: Partial<OutboxWorkerOptions> = {}) => new OutboxWorker(t.db, stripe, {
      logger, random: () => 0.5, baseDelay_ms: 1000, maxDelay_ms: 8000,
      onStripeObject: async (intent, object) => { seen.push({ intent: intent.intent_id, id: object.id }); },
      ...o,
    });

    /** A refund intent of its own decision; the fake's refunds are told apart by decision id. */
    async function refundIntent(amount = 100, inbox_id = ++seq): Promise<string> {
      const decision_id = `dec_${dialect}_${++seq}`;
      const intent_id = intentIdFor('refund', decision_id);
      await addIntent(t.db, { intent_id, decision_id, booking_id: 'bk_worker', operation: 'refund', inbox_id, params: { payment_intent: pi.id, amount, currency: 'usd', metadata: { booking_id: 'bk_worker', decision_id } } });
      return intent_id;
    }
    const status = async (intent_id: string): Promise<IntentStatus> => (await intentsWithStatus(t.db, { intent_ids: [intent_id] }))[0]!;
    const refundsAt = (intent_id: string) => [...fake.state.refunds.values()].filter((r) => intent_id.endsWith(String(r.metadata?.decision_id)));
    const callsWith = (intent_id: string) => fake.state.requests.filter((r) => r.idempotencyKey === intent_id);
    const rawAttempts = (intent_id: string) => t.db('outbox_attempts').where({ intent_id }).orderBy('id');

    test('a call that succeeds is recorded once with the object id, and passed on', async () => {
      const id = await refundIntent();
      const w = worker();
      assert.equal(await w.runOnce(), 1);
      const s = await status(id);
      assert.equal(s.status, 'succeeded');
      assert.equal(s.attempts.length, 1);
      const re = refundsAt(id);
      assert.equal(re.length, 1);
      assert.equal(s.attempts[0]!.stripe_object_id, re[0]!.id);
      assert.deepEqual(seen.filter((x) => x.intent === id).map((x) => x.id), [re[0]!.id]);
      assert.equal(callsWith(id)[0]!.idempotencyKey, id, 'the idempotency key is the intent id');
      assert.equal(await w.runOnce(Date.now() + 3_600_000), 0, 'nothing left to do');
    });

    test('retryable failures append attempts, wait for next_attempt_at, and end with one refund', async () => {
      const id = await refundIntent();
      fake.faults.next({ status: 503, path: /^\/v1\/refunds$/, count: 2 });
      const w = worker();
      const t0 = Date.now();
      assert.equal(await w.runOnce(t0), 1);
      let s = await status(id);
      assert.equal(s.status, 'retrying');
      const a1 = s.attempts[0]!;
      assert.deepEqual([a1.attempt, a1.outcome, a1.http_status, a1.error_code], [1, 'retryable', 503, 'api_error']);
      // random 0.5, base 1000: attempt 1 waits 750 ms after the call
      const wait1 = Date.parse(a1.next_attempt_at!) - Date.parse(a1.attempted_at);
      assert.ok(wait1 >= 750 && wait1 <= 750 + 200, `first wait ${wait1}`);
      const row1 = (await rawAttempts(id))[0];

      assert.equal(await w.runOnce(Date.parse(a1.next_attempt_at!) - 1), 0, 'not due one millisecond early');
      assert.equal(await w.runOnce(Date.parse(a1.next_attempt_at!)), 1);
      s = await status(id);
      const a2 = s.attempts[1]!;
      assert.deepEqual([a2.attempt, a2.outcome], [2, 'retryable']);
      const wait2 = Date.parse(a2.next_attempt_at!) - Date.parse(a2.attempted_at);
      assert.ok(wait2 >= 1500 && wait2 <= 1500 + 200, `second wait ${wait2} (doubled)`);

      assert.equal(await w.runOnce(Date.parse(a2.next_attempt_at!)), 1);
      s = await status(id);
      assert.deepEqual(s.attempts.map((a) => a.outcome), ['retryable', 'retryable', 'succeeded']);
      assert.deepEqual(s.attempts.map((a) => a.attempt), [1, 2, 3]);
      assert.deepEqual((await rawAttempts(id))[0], row1, 'the first attempt row is unchanged');
      assert.equal(refundsAt(id).length, 1);
      assert.deepEqual(callsWith(id).map((r) => r.status), [503, 503, 200]);
    });

    test('attempt rows cannot be updated or deleted, even by an administrator', async () => {
      const id = await refundIntent();
      await worker().runOnce();
      await assert.rejects(t.admin('outbox_attempts').where({ intent_id: id }).update({ outcome: 'failed' }), /append-only/);
      await assert.rejects(t.admin('outbox_attempts').where({ intent_id: id }).delete(), /append-only/);
      await assert.rejects(t.admin('outbox_intents').where({ intent_id: id }).update({ params: '{}' }), /append-only/);
    });

    test('a refusal (4xx) is recorded as failed with Stripe\'s code and never retried', async () => {
      const id = await refundIntent(999_999_999);
      const w = worker();
      assert.equal(await w.runOnce(), 1);
      assert.equal(await w.runOnce(Date.now() + 365 * 86_400_000), 0);
      const s = await status(id);
      assert.equal(s.status, 'failed');
      assert.deepEqual(s.attempts.map((a) => [a.outcome, a.http_status, a.error_code, a.next_attempt_at]), [['failed', 400, 'amount_too_large', null]]);
      assert.equal(callsWith(id).length, 1);
      assert.ok((await allIntents(t.db, 'failed')).some((i) => i.intent_id === id));
    });

    test('after maxAttempts retryable failures the intent is exhausted and left alone', async () => {
      const id = await refundIntent();
      fake.faults.next({ status: 500, path: /^\/v1\/refunds$/, count: 3 });
      const w = worker({ maxAttempts: 3 });
      let now = Date.now();
      for (let i = 0; i < 3; i++) {
        assert.equal(await w.runOnce(now), 1, `attempt ${i + 1}`);
        const last = (await status(id)).attempts.at(-1)!;
        if (last.next_attempt_at) now = Date.parse(last.next_attempt_at);
      }
      const s = await status(id);
      assert.equal(s.status, 'exhausted');
      assert.deepEqual(s.attempts.map((a) => a.outcome), ['retryable', 'retryable', 'exhausted']);
      assert.equal(s.attempts[2]!.next_attempt_at, null);
      assert.equal(await w.runOnce(Date.now() + 365 * 86_400_000), 0);
      assert.equal(refundsAt(id).length, 0);
      assert.equal(callsWith(id).length, 3);
      assert.ok((await allIntents(t.db, 'exhausted')).some((i) => i.intent_id === id));
    });

    test('a timeout, then a reply lost after Stripe made the refund: retried with the same key, one refund', async () => {
      const id = await refundIntent();
      fake.faults.timeout({ path: /^\/v1\/refunds$/ });
      fake.faults.crashAfterCommit({ path: /^\/v1\/refunds$/, count: 2 }); // the SDK retries a reset once by itself
      const w = worker();
      await w.runOnce();
      let s = await status(id);
      assert.equal(s.attempts[0]!.error_code, 'StripeConnectionError');
      assert.match(s.attempts[0]!.error_message!, /timeout/);
      assert.equal(refundsAt(id).length, 0, 'a timed-out request was never performed');
      await w.runOnce(Date.parse(s.attempts[0]!.next_attempt_at!));
      s = await status(id);
      assert.equal(s.attempts[1]!.outcome, 'retryable');
      assert.equal(refundsAt(id).length, 1, 'the refund was made although the answer was lost');
      await w.runOnce(Date.parse(s.attempts[1]!.next_attempt_at!));
      s = await status(id);
      assert.equal(s.status, 'succeeded');
      assert.equal(s.attempts[2]!.stripe_object_id, refundsAt(id)[0]!.id);
      assert.equal(refundsAt(id).length, 1);
      // timed out, dropped after commit, dropped again (the SDK's own retry), then the stored refund replayed
      assert.deepEqual(callsWith(id).map((r) => r.status), [null, null, null, 200]);
      assert.equal(callsWith(id).at(-1)!.replayed, true);
    });

    test('a local failure after Stripe answered is not a failed Stripe call: retried (replayed), then succeeded', async () => {
      const id = await refundIntent();
      let fail = true;
      const w = worker({
        onStripeObject: async () => {
          if (fail) throw new Error('database is locked');
        },
      });
      assert.equal(await w.runOnce(), 1);
      let s = await status(id);
      assert.equal(s.status, 'retrying', 'a refund Stripe made must not be marked failed');
      assert.equal(s.attempts[0]!.stripe_object_id, refundsAt(id)[0]!.id, 'the attempt names the object Stripe returned');
      assert.equal(s.attempts[0]!.error_code, 'record_failed');
      fail = false;
      await w.runOnce(Date.parse(s.attempts[0]!.next_attempt_at!));
      s = await status(id);
      assert.deepEqual(s.attempts.map((a) => a.outcome), ['retryable', 'succeeded']);
      assert.equal(refundsAt(id).length, 1);
      assert.equal(callsWith(id).at(-1)!.replayed, true);
    });

    test('our database dropping its connection during a reconcile_day intent is retried, never a terminal Stripe failure', async () => {
      const decision_id = `dec_${dialect}_${++seq}`;
      const intent_id = intentIdFor('reconcile_day', decision_id);
      await addIntent(t.db, { intent_id, decision_id, booking_id: null, operation: 'reconcile_day', inbox_id: ++seq, params: { day: '2026-03-01', from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' } });
      // what the drivers throw: mysql2 when the socket dies under a query, better-sqlite3 on an I/O error
      const dropped = [
        Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
        Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }),
      ];
      const w = worker({ reconcile: async () => { const e = dropped.shift(); if (e) throw e; return { id: 'recon_2026-03-01', object: 'reconciliation_report', ok: true }; } });
      assert.equal(await w.runOnce(), 1);
      let s = await status(intent_id);
      assert.equal(s.status, 'retrying', JSON.stringify(s.attempts));
      assert.deepEqual([s.attempts[0]!.outcome, s.attempts[0]!.http_status, s.attempts[0]!.error_code], ['retryable', null, 'PROTOCOL_CONNECTION_LOST']);
      await w.runOnce(Date.parse(s.attempts[0]!.next_attempt_at!));
      s = await status(intent_id);
      assert.deepEqual([s.attempts[1]!.outcome, s.attempts[1]!.error_code], ['retryable', 'SQLITE_IOERR']);
      await w.runOnce(Date.parse(s.attempts[1]!.next_attempt_at!));
      s = await status(intent_id);
      assert.deepEqual(s.attempts.map((a) => a.outcome), ['retryable', 'retryable', 'succeeded']);
      assert.equal(s.status, 'succeeded');
    });

    test('two workers on one database at once: one refund, one record per attempt number', async () => {
      const id = await refundIntent();
      const [a, b] = [worker(), worker()];
      await Promise.all([a.runOnce(), b.runOnce()]);
      const s = await status(id);
      assert.equal(s.status, 'succeeded');
      assert.equal(s.attempts.length, 1);
      assert.equal(refundsAt(id).length, 1);
    });

    test('intents waiting for their retry do not hold back newer ones (no head-of-line blocking)', async () => {
      const waiting: string[] = [];
      for (let i = 0; i < 55; i++) waiting.push(await refundIntent(1, 1_000_000 + i));
      fake.faults.next({ status: 503, path: /^\/v1\/refunds$/, count: 55 });
      const w = worker({ baseDelay_ms: 3_600_000, maxDelay_ms: 3_600_000 });
      const now = Date.now();
      assert.equal(await w.runOnce(now), 55);
      const fresh = await refundIntent(1, 2_000_000);
      assert.equal(await w.runOnce(now + 1000), 1, 'the new intent is tried while 55 older ones wait');
      assert.equal((await status(fresh)).status, 'succeeded');
      fake.faults.clear();
    });
  });
}
