/**
 * The outbox's retry rules: which failures are tried again (classified from the errors the real
 * SDK raises against the Stripe fake) and how long the worker waits (capped exponential, jitter
 * drawn from an injected random source).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startStripeFake, type StripeFake } from '../../stripe-fake/index.js';
import { backoffDelay, classifyOutboxFailure, classifyStripeError } from './retry-policy.js';

describe('backoffDelay', () => {
  const o = { baseDelay_ms: 500, maxDelay_ms: 60_000 };

  test('the ceiling doubles per attempt from the base and stops at the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => backoffDelay(n, o, () => 1));
    assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    assert.equal(backoffDelay(2000, o, () => 1), 60_000, '2 ** 1999 overflows to Infinity; the cap still holds');
  });

  test('jitter stays in the upper half of the ceiling: [ceiling/2, ceiling]', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(o.maxDelay_ms, o.baseDelay_ms * 2 ** (attempt - 1));
      assert.equal(backoffDelay(attempt, o, () => 0), ceiling / 2, `lowest wait of attempt ${attempt}`);
      assert.equal(backoffDelay(attempt, o, () => 0.5), Math.round(ceiling * 0.75), `middle wait of attempt ${attempt}`);
      assert.ok(backoffDelay(attempt, o, () => 0.999999) <= ceiling, `highest wait of attempt ${attempt}`);
    }
  });

  test('the random source is used, one draw per delay, and out-of-range draws are clamped', () => {
    let draws = 0;
    const seq = [0.1, 0.9];
    const random = () => seq[draws++ % 2]!;
    assert.equal(backoffDelay(3, o, random), 1000 + 100);
    assert.equal(backoffDelay(3, o, random), 1000 + 900);
    assert.equal(draws, 2);
    assert.equal(backoffDelay(3, o, () => -5), 1000);
    assert.equal(backoffDelay(3, o, () => 7), 2000);
  });

  test('a first attempt numbered 0 or below waits like attempt 1 (never less than base/2)', () => {
    assert.equal(backoffDelay(0, o, () => 0), 250);
    assert.equal(backoffDelay(-3, o, () => 0), 250);
  });
});

describe('classifyStripeError: errors the real SDK raises against the fake', () => {
  let fake: StripeFake;
  let pi: Stripe.PaymentIntent;
  const sdk = (timeout = 2000) => new Stripe('sk_test_classify', { ...fake.sdkOptions, maxNetworkRetries: 0, timeout, telemetry: false });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return classifyStripeError(err);
    }
    assert.fail('expected the Stripe call to fail');
  };
  let n = 0;
  const refund = (amount = 100, s = sdk()) => s.refunds.create({ payment_intent: pi.id, amount }, { idempotencyKey: `classify:${++n}` });

  before(async () => {
    fake = await startStripeFake({ idTag: 'classify' });
    pi = fake.createPayment({ amount: 100_000, currency: 'usd', metadata: { booking_id: 'bk_classify' } });
  });
  after(async () => fake.close());

  for (const status of [500, 502, 503] as const) {
    test(`${status} is retryable`, async () => {
      fake.faults.next({ status, path: /^\/v1\/refunds$/ });
      const f = await failure(refund());
      assert.equal(f.retryable, true);
      assert.equal(f.http_status, status);
      assert.equal(f.error_code, 'api_error', "Stripe's error type when it sent no code");
    });
  }

  test('429 is retryable and keeps Stripe\'s code', async () => {
    fake.faults.next({ status: 429, path: /^\/v1\/refunds$/ });
    const f = await failure(refund());
    assert.deepEqual([f.retryable, f.http_status, f.error_code], [true, 429, 'rate_limit']);
  });

  test('a timeout (no answer) is retryable', async () => {
    fake.faults.timeout({ path: /^\/v1\/refunds$/ });
    const f = await failure(refund(100, sdk(150)));
    assert.equal(f.retryable, true);
    assert.equal(f.http_status, null);
    assert.equal(f.error_code, 'StripeConnectionError');
    assert.match(f.error_message, /timeout/);
  });

  test('a connection dropped after the change was made is retryable', async () => {
    // The SDK itself retries a reset connection once even with maxNetworkRetries 0: drop both.
    fake.faults.crashAfterCommit({ path: /^\/v1\/refunds$/, count: 2 });
    const f = await failure(refund());
    assert.deepEqual([f.retryable, f.http_status, f.error_code], [true, null, 'StripeConnectionError']);
  });

  test('a refused refund (400 with a code) is not retryable and keeps Stripe\'s code', async () => {
    const f = await failure(refund(10_000_000));
    assert.deepEqual([f.retryable, f.http_status, f.error_code], [false, 400, 'amount_too_large']);
    assert.match(f.error_message, /greater than unrefunded amount/);
  });

  test('an unknown object (404 path) or parameter is not retryable', async () => {
    const f = await failure(sdk().refunds.retrieve('re_does_not_exist'));
    assert.deepEqual([f.retryable, f.http_status, f.error_code], [false, 404, 'resource_missing']);
    const g = await failure(sdk().refunds.create({ payment_intent: 'pi_missing' }, { idempotencyKey: 'classify:missing' }));
    assert.deepEqual([g.retryable, g.http_status, g.error_code], [false, 400, 'resource_missing']);
  });

  test('an idempotency error (same key, other params) is not retryable', async () => {
    await refund(101, sdk());
    const key = `classify:${n}`;
    const f = await failure(sdk().refunds.create({ payment_intent: pi.id, amount: 102 }, { idempotencyKey: key }));
    assert.deepEqual([f.retryable, f.http_status, f.error_code], [false, 400, 'idempotency_error']);
  });

  test('a bad API key (401) is not retryable', async () => {
    const bad = new Stripe('pk_test_not_a_secret', { ...fake.sdkOptions, maxNetworkRetries: 0, telemetry: false });
    const f = await failure(bad.refunds.create({ payment_intent: pi.id, amount: 1 }));
    assert.deepEqual([f.retryable, f.http_status], [false, 401]);
  });
});

describe('classifyStripeError: rules beyond what the fake sends', () => {
  const gen = (raw: Record<string, unknown>) => Stripe.errors.StripeError.generate(raw as never);

  test('409 (a concurrent request with the same key) is retryable', () => {
    const f = classifyStripeError(gen({ type: 'idempotency_error', statusCode: 409, message: 'conflict' }));
    assert.equal(f.retryable, true);
  });

  test("Stripe-Should-Retry overrides the status either way", () => {
    assert.equal(classifyStripeError(gen({ type: 'invalid_request_error', code: 'lock_timeout', statusCode: 400, headers: { 'stripe-should-retry': 'true' } })).retryable, true);
    assert.equal(classifyStripeError(gen({ type: 'api_error', statusCode: 500, headers: { 'stripe-should-retry': 'false' } })).retryable, false);
  });

  test('a card error (402) is final', () => {
    const f = classifyStripeError(gen({ type: 'card_error', code: 'card_declined', statusCode: 402 }));
    assert.deepEqual([f.retryable, f.error_code], [false, 'card_declined']);
  });

  test('an unreadable answer (StripeAPIError without a status) is retryable; a local bug is not', () => {
    assert.equal(classifyStripeError(new Stripe.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API' })).retryable, true);
    const bug = classifyStripeError(new TypeError('params.amount is undefined'));
    assert.deepEqual([bug.retryable, bug.http_status, bug.error_code], [false, null, 'TypeError']);
    assert.equal(classifyStripeError('a string').retryable, false);
  });

  test('our own database failing for now is retried (no answer from Stripe); a local bug and Stripe\'s answers are classified as before', () => {
    for (const e of [
      Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 }),
      Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 }),
      Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }),
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }),
      Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
    ]) {
      const f = classifyOutboxFailure(e);
      assert.deepEqual([f.retryable, f.http_status], [true, null], (e as Error).message);
      assert.equal(classifyStripeError(e).retryable, false, 'the Stripe rules alone would have ended it for good');
    }
    assert.equal(classifyOutboxFailure(Object.assign(new Error('x'), { code: 'SQLITE_IOERR' })).error_code, 'SQLITE_IOERR');
    assert.equal(classifyOutboxFailure(new TypeError('params.amount is undefined')).retryable, false);
    assert.equal(classifyOutboxFailure(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })).retryable, false);
    const refused = gen({ type: 'invalid_request_error', code: 'charge_already_refunded', statusCode: 400 });
    assert.deepEqual(classifyOutboxFailure(refused), classifyStripeError(refused));
  });

  test('messages are cut to 500 characters', () => {
    assert.equal(classifyStripeError(gen({ type: 'api_error', statusCode: 500, message: 'x'.repeat(2000) })).error_message.length, 500);
  });
});
