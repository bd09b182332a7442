/** Webhooks from the fake, verified by a receiver with the SDK's constructEvent. */
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startStripeFake, startWebhookReceiver, type StripeFake, type WebhookReceiver } from './index.js';

const SECRET = 'whsec_test_fake_secret';
let fake: StripeFake | null = null;
let receiver: WebhookReceiver | null = null;

async function setup(opts: Parameters<typeof startStripeFake>[0] = {}): Promise<{ fake: StripeFake; receiver: WebhookReceiver; stripe: Stripe }> {
  receiver = await startWebhookReceiver(SECRET);
  fake = await startStripeFake({ webhookUrl: receiver.url, webhookSecret: SECRET, webhookBackoff_ms: 5, ...opts });
  return { fake, receiver, stripe: new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0 }) };
}

afterEach(async () => {
  await fake?.close();
  await receiver?.close();
  fake = null;
  receiver = null;
});

describe('webhooks', () => {
  test('payment intent confirm sends payment_intent.succeeded then charge.succeeded, signed', async () => {
    const { fake, receiver, stripe } = await setup();
    const pi = await stripe.paymentIntents.create({ amount: 10000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', metadata: { booking_id: 'bk_1' } }, { idempotencyKey: 'pay:bk_1' });
    await fake.deliverAll();
    assert.ok(receiver.deliveries.every((d) => d.error === null), 'every signature verifies');
    const events = receiver.events();
    assert.deepEqual(events.map((e) => e.type), ['payment_intent.succeeded', 'charge.succeeded']);
    const [succeeded, charged] = events as [Stripe.PaymentIntentSucceededEvent, Stripe.ChargeSucceededEvent];
    assert.equal(succeeded.data.object.id, pi.id);
    assert.equal(succeeded.data.object.metadata['booking_id'], 'bk_1');
    assert.equal(succeeded.request?.idempotency_key, 'pay:bk_1');
    assert.equal(charged.data.object.payment_intent, pi.id);
    assert.equal(charged.data.object.id, pi.latest_charge);
    assert.match(String(charged.data.object.balance_transaction), /^txn_fake_\d{6}$/);
    assert.equal(succeeded.object, 'event');
    assert.equal(succeeded.livemode, false);
    assert.match(succeeded.id, /^evt_fake_\d{6}$/);
  });

  test('a refund sends refund.created, charge.refunded and refund.updated', async () => {
    const { fake, receiver, stripe } = await setup();
    const pi = await stripe.paymentIntents.create({ amount: 10000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
    await fake.deliverAll();
    const re = await stripe.refunds.create({ payment_intent: pi.id, amount: 5000, metadata: { booking_id: 'bk_2' } }, { idempotencyKey: 'refund:bk_2:1' });
    await fake.deliverAll();
    const events = receiver.events().slice(2);
    assert.deepEqual(events.map((e) => e.type), ['refund.created', 'charge.refunded', 'refund.updated']);
    const [created, chargeRefunded, updated] = events as [Stripe.RefundCreatedEvent, Stripe.ChargeRefundedEvent, Stripe.RefundUpdatedEvent];
    assert.equal(created.data.object.id, re.id);
    assert.equal(created.data.object.status, 'succeeded');
    assert.equal(created.data.object.metadata?.['booking_id'], 'bk_2');
    assert.equal(chargeRefunded.data.object.amount_refunded, 5000);
    assert.deepEqual(chargeRefunded.data.previous_attributes, { amount_refunded: 0 });
    assert.equal(updated.data.object.id, re.id);
    assert.equal(updated.data.object.destination_details?.card?.reference_status, 'available');
    assert.equal(updated.request?.id, null, 'the settlement is not caused by an API request');
  });

  test('failNextRefund: created pending, then refund.updated failed with failure_reason', async () => {
    const { fake, receiver, stripe } = await setup();
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
    fake.failNextRefund('lost_or_stolen_card');
    const re = await stripe.refunds.create({ payment_intent: pi.id, amount: 3000 });
    assert.equal(re.status, 'pending');
    await fake.deliverAll();
    const types = receiver.events().map((e) => e.type);
    assert.deepEqual(types.slice(2), ['refund.created', 'charge.refunded', 'refund.updated']);
    const updated = receiver.events().at(-1) as Stripe.RefundUpdatedEvent;
    assert.equal(updated.data.object.status, 'failed');
    assert.equal(updated.data.object.failure_reason, 'lost_or_stolen_card');
    assert.equal((updated.data.previous_attributes as { status?: string }).status, 'pending');
    const now = await stripe.refunds.retrieve(re.id);
    assert.equal(now.status, 'failed');
    const failureTxn = await stripe.balanceTransactions.retrieve(now.failure_balance_transaction as string);
    assert.deepEqual([failureTxn.amount, failureTxn.type], [3000, 'refund_failure']);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    assert.equal(charge.amount_refunded, 0, 'a failed refund gives the amount back to the charge');
    const second = await stripe.refunds.create({ payment_intent: pi.id, amount: 3000 });
    assert.equal(second.status, 'succeeded', 'only the next refund fails');
  });

  test('transfer.created and transfer.reversed carry the transfer with its reversals', async () => {
    const { fake, receiver, stripe } = await setup();
    const tr = await stripe.transfers.create({ amount: 8500, currency: 'usd', destination: 'acct_host1', transfer_group: 'bk_3', metadata: { booking_id: 'bk_3' } });
    const trr = await stripe.transfers.createReversal(tr.id, { amount: 2000 });
    await fake.deliverAll();
    const [created, reversed] = receiver.events() as [Stripe.TransferCreatedEvent, Stripe.TransferReversedEvent];
    assert.equal(created.type, 'transfer.created');
    assert.equal(created.data.object.destination, 'acct_host1');
    assert.equal(reversed.type, 'transfer.reversed');
    assert.equal(reversed.data.object.amount_reversed, 2000);
    assert.equal(reversed.data.object.reversals.data[0]?.id, trr.id);
    assert.deepEqual(reversed.data.previous_attributes, { amount_reversed: 0 });
  });

  test('a non-2xx answer is retried; order is kept', async () => {
    const { fake, receiver, stripe } = await setup();
    receiver.failNext(2);
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_a' });
    await stripe.transfers.create({ amount: 200, currency: 'usd', destination: 'acct_b' });
    await fake.deliverAll();
    assert.deepEqual(receiver.deliveries.map((d) => d.answered), [500, 500, 200, 200]);
    assert.deepEqual(receiver.events().map((e) => (e.data.object as Stripe.Transfer).amount), [100, 200]);
    assert.deepEqual(fake.state.events.map((r) => [r.delivery, r.attempts]), [['delivered', 3], ['delivered', 1]]);
  });

  test('an event that never gets a 2xx is marked failed after the last attempt', async () => {
    const { fake, receiver, stripe } = await setup({ webhookAttempts: 2 });
    receiver.failNext(5);
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_a' });
    await fake.deliverAll();
    assert.deepEqual(fake.state.events.map((r) => [r.delivery, r.attempts, r.last_status]), [['failed', 2, 500]]);
  });

  test('webhooks go out after the API answer, and a wrong secret fails verification', async () => {
    const { fake, receiver, stripe } = await setup({ webhookDelay_ms: 100 });
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_a' });
    assert.equal(receiver.deliveries.length, 0, 'nothing delivered while the API call answers');
    await fake.deliverAll();
    assert.equal(receiver.deliveries.length, 1);
    const d = receiver.deliveries[0];
    assert.ok(d);
    assert.throws(() => Stripe.webhooks.constructEvent(d.raw, d.signature, 'whsec_other'), Stripe.errors.StripeSignatureVerificationError);
  });

  test('events wait without a target and go out once it is set; crash-after-commit still sends them', async () => {
    receiver = await startWebhookReceiver(SECRET);
    fake = await startStripeFake();
    const stripe = new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0 });
    fake.faults.crashAfterCommit({ path: /^\/v1\/transfers$/, count: 2 });
    await assert.rejects(stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_a' }), Stripe.errors.StripeConnectionError);
    await fake.deliverAll();
    assert.deepEqual(fake.state.events.map((r) => r.delivery), ['queued']);
    fake.setWebhookTarget(receiver.url, SECRET);
    await fake.deliverAll();
    assert.deepEqual(receiver.events().map((e) => e.type), ['transfer.created']);
  });
});

describe('determinism', () => {
  async function story(): Promise<string> {
    const f = await startStripeFake({ seedBalanceTransactions: false });
    try {
      f.setNow(1_800_000_000);
      const stripe = new Stripe('sk_test_fake', { ...f.sdkOptions, maxNetworkRetries: 0 });
      const pi = await stripe.paymentIntents.create({ amount: 10000, currency: 'eur', confirm: true, payment_method: 'pm_card_visa', metadata: { booking_id: 'bk_d' } }, { idempotencyKey: 'pay:bk_d' });
      await stripe.refunds.create({ payment_intent: pi.id, amount: 2500 }, { idempotencyKey: 'refund:bk_d:1' });
      const tr = await stripe.transfers.create({ amount: 6000, currency: 'eur', destination: 'acct_h', source_transaction: pi.latest_charge as string }, { idempotencyKey: 'payout:bk_d' });
      await stripe.transfers.createReversal(tr.id, { amount: 1000 }, { idempotencyKey: 'reverse:bk_d:1' });
      await f.deliverAll();
      const s = f.state;
      return JSON.stringify({
        objects: [s.paymentIntents, s.charges, s.refunds, s.transfers, s.transferReversals, s.balanceTransactions].map((m) => [...m.values()]),
        events: s.events.map((r) => r.event),
      });
    } finally {
      await f.close();
    }
  }

  test('the same requests give the same ids, times and events', async () => {
    const a = await story();
    const b = await story();
    assert.equal(a, b);
    assert.match(a, /"re_fake_000001"/);
    assert.match(a, /"created":1800000000/);
  });
});
