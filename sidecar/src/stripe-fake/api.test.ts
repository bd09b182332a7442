/** The fake through the real SDK: idempotency, faults and Stripe's validation answers. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startStripeFake, type StripeFake } from './index.js';

let fake: StripeFake;
before(async () => {
  fake = await startStripeFake();
});
after(async () => {
  await fake.close();
});

function sdk(settings: Partial<Stripe.StripeConfig> = {}): Stripe {
  return new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0, ...settings });
}

/** A fresh succeeded payment to refund; booking ids keep tests apart in the shared fake. */
async function paid(amount = 10000): Promise<{ pi: Stripe.PaymentIntent; charge: string }> {
  const pi = await sdk().paymentIntents.create({ amount, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
  return { pi, charge: pi.latest_charge as string };
}

function refundsOf(pi: string): Stripe.Refund[] {
  return [...fake.state.refunds.values()].filter((r) => r.payment_intent === pi);
}

async function rejects(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Stripe.errors.StripeError, `expected a StripeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('idempotency', () => {
  test('same key and params replay the stored refund', async () => {
    const { pi } = await paid();
    const first = await sdk().refunds.create({ payment_intent: pi.id, amount: 2500, metadata: { booking_id: 'bk_idem' } }, { idempotencyKey: 'refund:bk_idem:1' });
    const again = await sdk().refunds.create({ payment_intent: pi.id, amount: 2500, metadata: { booking_id: 'bk_idem' } }, { idempotencyKey: 'refund:bk_idem:1' });
    assert.equal(again.id, first.id);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);
    assert.equal(refundsOf(pi.id).length, 1);
    const log = fake.state.requests.filter((r) => r.idempotencyKey === 'refund:bk_idem:1');
    assert.deepEqual(log.map((r) => [r.status, r.replayed]), [[200, false], [200, true]]);
  });

  test('same key with other params is an idempotency error and creates nothing', async () => {
    const { pi } = await paid();
    await sdk().refunds.create({ payment_intent: pi.id, amount: 1000 }, { idempotencyKey: 'refund:bk_other:1' });
    const err = await rejects(sdk().refunds.create({ payment_intent: pi.id, amount: 1001 }, { idempotencyKey: 'refund:bk_other:1' }));
    assert.ok(err instanceof Stripe.errors.StripeIdempotencyError);
    assert.equal(err.statusCode, 400);
    assert.equal(refundsOf(pi.id).length, 1);
  });

  test('the same key on another endpoint is refused too', async () => {
    await sdk().transfers.create({ amount: 100, currency: 'usd', destination: 'acct_host1' }, { idempotencyKey: 'shared-key' });
    const { pi } = await paid();
    const err = await rejects(sdk().refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'shared-key' }));
    assert.ok(err instanceof Stripe.errors.StripeIdempotencyError);
  });

  test('a refused request stores nothing: the key works once the params are valid', async () => {
    const { pi } = await paid(1000);
    const err = await rejects(sdk().refunds.create({ payment_intent: pi.id, amount: 5000 }, { idempotencyKey: 'refund:bk_fix:1' }));
    assert.equal(err.code, 'amount_too_large');
    const ok = await sdk().refunds.create({ payment_intent: pi.id, amount: 500 }, { idempotencyKey: 'refund:bk_fix:1' });
    assert.equal(ok.amount, 500);
  });
});

describe('faults', () => {
  test('a 500 is retried by the SDK and ends with exactly one refund', async () => {
    const { pi } = await paid();
    fake.faults.next({ status: 500, path: /^\/v1\/refunds$/ });
    const re = await sdk({ maxNetworkRetries: 2 }).refunds.create({ payment_intent: pi.id, amount: 3000 }, { idempotencyKey: 'refund:bk_500:1' });
    assert.equal(re.status, 'succeeded');
    assert.equal(refundsOf(pi.id).length, 1);
    const log = fake.state.requests.filter((r) => r.idempotencyKey === 'refund:bk_500:1');
    assert.deepEqual(log.map((r) => r.status), [500, 200]);
  });

  test('a 503 without SDK retries fails, performs nothing, and a second call succeeds once', async () => {
    const { pi } = await paid();
    fake.faults.next({ status: 503, path: /^\/v1\/refunds$/ });
    const err = await rejects(sdk().refunds.create({ payment_intent: pi.id, amount: 3000 }, { idempotencyKey: 'refund:bk_503:1' }));
    assert.ok(err instanceof Stripe.errors.StripeAPIError);
    assert.equal(err.statusCode, 503);
    assert.equal(refundsOf(pi.id).length, 0);
    await sdk().refunds.create({ payment_intent: pi.id, amount: 3000 }, { idempotencyKey: 'refund:bk_503:1' });
    assert.equal(refundsOf(pi.id).length, 1);
  });

  test('429 answers a rate-limit error with Retry-After and performs nothing', async () => {
    const { pi } = await paid();
    fake.faults.next({ status: 429, count: 2, path: /^\/v1\/refunds$/ });
    const err = await rejects(sdk({ maxNetworkRetries: 2 }).refunds.create({ payment_intent: pi.id, amount: 100 }, { idempotencyKey: 'refund:bk_429:1' }));
    assert.ok(err instanceof Stripe.errors.StripeRateLimitError);
    assert.equal(err.statusCode, 429);
    assert.equal(err.headers?.['retry-after'], '1');
    assert.equal(refundsOf(pi.id).length, 0);
    assert.equal(fake.faults.pending(), 1, 'the SDK does not retry a 429 by itself');
    fake.faults.clear();
  });

  test('a timeout fails the call and creates nothing', async () => {
    fake.faults.timeout({ path: /^\/v1\/transfers$/ });
    const before = fake.state.transfers.size;
    const err = await rejects(sdk({ timeout: 300 }).transfers.create({ amount: 700, currency: 'usd', destination: 'acct_host_timeout' }, { idempotencyKey: 'transfer:bk_to:1' }));
    assert.ok(err instanceof Stripe.errors.StripeConnectionError);
    assert.match(err.message, /timeout/);
    assert.equal(fake.state.transfers.size, before);
    const held = fake.state.requests.filter((r) => r.idempotencyKey === 'transfer:bk_to:1');
    assert.deepEqual(held.map((r) => [r.status, r.fault]), [[null, 'timeout']]);
  });

  test('crash after commit: the call errors, the retry with the same key returns the same refund', async () => {
    const { pi } = await paid();
    // count 2: the SDK itself retries a reset connection once, so both of its attempts must be lost.
    fake.faults.crashAfterCommit({ path: /^\/v1\/refunds$/, count: 2 });
    const err = await rejects(sdk().refunds.create({ payment_intent: pi.id, amount: 4200 }, { idempotencyKey: 'refund:bk_crash:1' }));
    assert.ok(err instanceof Stripe.errors.StripeConnectionError);
    assert.equal(refundsOf(pi.id).length, 1, 'the refund exists at Stripe although nobody heard back');
    const retried = await sdk().refunds.create({ payment_intent: pi.id, amount: 4200 }, { idempotencyKey: 'refund:bk_crash:1' });
    assert.equal(retried.id, refundsOf(pi.id)[0]?.id);
    assert.equal(retried.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(refundsOf(pi.id).length, 1);
  });

  test("crash after commit once: the SDK's own reconnect replays the stored result", async () => {
    const { pi } = await paid();
    fake.faults.crashAfterCommit({ path: /^\/v1\/refunds$/ });
    const re = await sdk().refunds.create({ payment_intent: pi.id, amount: 1200 });
    assert.equal(refundsOf(pi.id).length, 1);
    assert.equal(re.id, refundsOf(pi.id)[0]?.id);
    const log = fake.state.requests.filter((r) => r.path === '/v1/refunds').slice(-2);
    assert.deepEqual(log.map((r) => [r.status, r.fault ?? null, r.replayed]), [[null, 'crashAfterCommit', false], [200, null, true]]);
  });

  test('a fault only hits requests matching its path and method', async () => {
    fake.faults.next({ status: 500, path: /^\/v1\/transfers$/, method: 'POST' });
    const { charge } = await paid(); // POST /v1/payment_intents is not affected
    assert.ok(charge.startsWith('ch_'));
    assert.equal(fake.faults.pending(), 1);
    fake.faults.clear();
  });
});

describe('validation as Stripe answers it', () => {
  test('over-refund: amount_too_large, then charge_already_refunded', async () => {
    const { pi, charge } = await paid(5000);
    const tooMuch = await rejects(sdk().refunds.create({ payment_intent: pi.id, amount: 5001 }));
    assert.equal(tooMuch.code, 'amount_too_large');
    assert.equal(tooMuch.statusCode, 400);
    const full = await sdk().refunds.create({ charge });
    assert.equal(full.amount, 5000, 'no amount refunds what is left');
    const again = await rejects(sdk().refunds.create({ payment_intent: pi.id, amount: 1 }));
    assert.equal(again.code, 'charge_already_refunded');
    const ch = await sdk().charges.retrieve(charge);
    assert.equal(ch.amount_refunded, 5000);
    assert.equal(ch.refunded, true);
  });

  test('unknown payment intent, unknown parameter, unknown destination', async () => {
    const missing = await rejects(sdk().refunds.create({ payment_intent: 'pi_nope' }));
    assert.equal(missing.code, 'resource_missing');
    assert.equal(missing.param, 'payment_intent');
    const unknown = await rejects(sdk().refunds.create({ payment_intent: 'pi_nope', bogus: 1 } as Stripe.RefundCreateParams));
    assert.equal(unknown.code, 'parameter_unknown');
    const dest = await rejects(sdk().transfers.create({ amount: 100, currency: 'usd', destination: 'host_42' }));
    assert.equal(dest.statusCode, 400);
    assert.equal(dest.code, 'resource_missing');
    assert.equal(dest.param, 'destination');
  });

  test('transfer from a charge, then reversals up to what is left', async () => {
    const { charge } = await paid(10000);
    const tr = await sdk().transfers.create({ amount: 8500, currency: 'usd', destination: 'acct_host7', transfer_group: 'bk_7', source_transaction: charge, metadata: { booking_id: 'bk_7' } });
    assert.equal(tr.source_transaction, charge);
    assert.equal(tr.transfer_group, 'bk_7');
    const r1 = await sdk().transfers.createReversal(tr.id, { amount: 5000, metadata: { booking_id: 'bk_7' } });
    assert.equal(r1.object, 'transfer_reversal');
    assert.equal(r1.transfer, tr.id);
    const tooMuch = await rejects(sdk().transfers.createReversal(tr.id, { amount: 3501 }));
    assert.equal(tooMuch.statusCode, 400);
    assert.equal(tooMuch.param, 'amount');
    await sdk().transfers.createReversal(tr.id, { amount: 3500 });
    const after = await sdk().transfers.retrieve(tr.id);
    assert.equal(after.amount_reversed, 8500);
    assert.equal(after.reversed, true);
    assert.equal(after.reversals.data.length, 2);
    const overCharge = await rejects(sdk().transfers.create({ amount: 10001, currency: 'usd', destination: 'acct_host7', source_transaction: charge }));
    assert.equal(overCharge.param, 'amount');
    // A charge funds transfers up to its amount less what was already transferred from it (8500).
    const overRemaining = await rejects(sdk().transfers.create({ amount: 1501, currency: 'usd', destination: 'acct_host7', source_transaction: charge }));
    assert.equal(overRemaining.statusCode, 400);
    assert.equal(overRemaining.param, 'amount');
    const rest = await sdk().transfers.create({ amount: 1500, currency: 'usd', destination: 'acct_host7', source_transaction: charge });
    assert.equal(rest.amount, 1500);
  });

  test('unknown routes and objects answer 404 resource_missing; no API key answers 401', async () => {
    const res = await fetch(`${fake.url}/v1/customers`, { headers: { Authorization: 'Bearer sk_test_fake' } });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { type: string; code: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.code, 'resource_missing');
    const gone = await rejects(sdk().refunds.retrieve('re_missing'));
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.code, 'resource_missing');
    const anon = await fetch(`${fake.url}/v1/refunds/re_missing`);
    assert.equal(anon.status, 401);
  });

  test('a declined card answers 402 and leaves the intent awaiting a payment method', async () => {
    const err = await rejects(sdk().paymentIntents.create({ amount: 900, currency: 'usd', confirm: true, payment_method: 'pm_card_chargeDeclined' }));
    assert.ok(err instanceof Stripe.errors.StripeCardError);
    assert.equal(err.code, 'card_declined');
    const pi = [...fake.state.paymentIntents.values()].at(-1);
    assert.equal(pi?.status, 'requires_payment_method');
  });
});

describe('payment intents and balance transactions', () => {
  test('create then confirm; the charge and its balance transaction carry the fee', async () => {
    const created = await sdk().paymentIntents.create({ amount: 10000, currency: 'usd', metadata: { booking_id: 'bk_pay' }, transfer_group: 'bk_pay' });
    assert.equal(created.status, 'requires_payment_method');
    const confirmed = await sdk().paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.amount_received, 10000);
    const charge = await sdk().charges.retrieve(confirmed.latest_charge as string);
    assert.equal(charge.payment_intent, created.id);
    assert.equal(charge.transfer_group, 'bk_pay');
    assert.deepEqual(charge.metadata, { booking_id: 'bk_pay' });
    const txn = await sdk().balanceTransactions.retrieve(charge.balance_transaction as string);
    assert.deepEqual([txn.amount, txn.fee, txn.net, txn.type, txn.source], [10000, 320, 9680, 'charge', charge.id]);
    assert.equal(txn.fee_details[0]?.type, 'stripe_fee');
    const expanded = await sdk().paymentIntents.retrieve(created.id, { expand: ['latest_charge.balance_transaction'] });
    const bt = (expanded.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    assert.equal(bt.fee, 320);
    const again = await rejects(sdk().paymentIntents.confirm(created.id));
    assert.equal(again.code, 'payment_intent_unexpected_state');
  });

  test('refund, transfer and reversal each get a balance transaction with the right sign', async () => {
    const { pi, charge } = await paid(2000);
    const re = await sdk().refunds.create({ payment_intent: pi.id, amount: 700 });
    const tr = await sdk().transfers.create({ amount: 1000, currency: 'usd', destination: 'acct_h', source_transaction: charge });
    const trr = await sdk().transfers.createReversal(tr.id, { amount: 400 });
    const amounts = await Promise.all([re, tr, trr].map(async (o) => (await sdk().balanceTransactions.retrieve(o.balance_transaction as string)).amount));
    assert.deepEqual(amounts, [-700, -1000, 400]);
  });

  test('fixture balance transactions are served from fixtures/stripe', async () => {
    const id = 'txn_1PgaxNB7WZ01zgkWEV3TLf40';
    assert.ok(fake.state.balanceTransactions.has(id), 'fixtures/stripe/_objects/balance_transactions.json is loaded');
    const txn = await sdk().balanceTransactions.retrieve(id);
    assert.deepEqual([txn.amount, txn.fee, txn.net], [10000, 320, 9680]);
  });
});
