import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedEntries, reconcile, type LedgerMovement, type StripeMovement } from './match.js';

/** A dispute's balance transaction as Stripe lists it: amount -X, the dispute fee F, net -X-F. */
const withdrawal: StripeMovement = { id: 'txn_dp', type: 'adjustment', amount_minor: -5000, fee_minor: 1500, currency: 'usd', source: 'dp_1', created: '2026-03-01T10:00:00Z' };
const reinstatement: StripeMovement = { id: 'txn_dr', type: 'adjustment', amount_minor: 5000, fee_minor: 0, currency: 'usd', source: 'dp_1', created: '2026-03-09T10:00:00Z' };
const posted = (key: string, amount: number): LedgerMovement => ({ idempotency_key: key, kind: 'dispute_withdrawal', amount_minor: amount, currency: 'USD', occurred_at: '2026-03-01T10:00:00.000Z', by_currency: { USD: amount } });

describe('reconciliation of a dispute', () => {
  test('the withdrawal is expected with its fee, in its one entry (no separate stripe_fee entry)', () => {
    assert.deepEqual(expectedEntries(withdrawal).map((e) => [e.key, e.amount_minor]), [['dispute_txn:txn_dp', -6500]]);
    assert.deepEqual(expectedEntries(reinstatement).map((e) => [e.key, e.amount_minor]), [['dispute_txn:txn_dr', 5000]]);
  });

  test('an entry that moved amount + fee matches; one that moved the amount alone is a difference', () => {
    const ok = reconcile('2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z', [withdrawal, reinstatement], new Map([['dispute_txn:txn_dp', posted('dispute_txn:txn_dp', 6500)], ['dispute_txn:txn_dr', posted('dispute_txn:txn_dr', 5000)]]), []);
    assert.equal(ok.ok, true, JSON.stringify(ok.amount_differences));
    assert.deepEqual(ok.matched.map((m) => m.amount_minor), [6500, 5000]);
    const short = reconcile('2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z', [withdrawal], new Map([['dispute_txn:txn_dp', posted('dispute_txn:txn_dp', 5000)]]), []);
    assert.deepEqual(short.amount_differences, [{ balance_transaction: 'txn_dp', key: 'dispute_txn:txn_dp', stripe_minor: 6500, ledger_minor: 5000, currency: 'USD' }]);
  });

  test('a withdrawal never posted is named missing with all that left the balance', () => {
    const r = reconcile('2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z', [withdrawal], new Map(), []);
    assert.equal(r.missing_from_ledger[0]?.amount_minor, 6500);
    assert.match(r.missing_from_ledger[0]!.explained_by, /dispute fee 1500/);
  });
});

describe('reconciliation of a host subscription invoice paid by card', () => {
  // Found by the simulation: the invoice's charge was expected as a booking payment (payment:<pi>,
  // stripe_fee:<txn>), so every paid invoice was named missing_from_ledger and its entries unknown_to_stripe.
  const charge: StripeMovement = { id: 'txn_in', type: 'charge', amount_minor: 2000, fee_minor: 88, currency: 'usd', source: 'ch_in', created: '2025-03-01T10:00:00Z', payment_intent: 'pi_in', invoice: { subscription_id: 'sub_1', invoice_id: 'in_1' } };
  const entry = (key: string, amount: number, kind: string): LedgerMovement => ({ idempotency_key: key, kind, amount_minor: amount, currency: 'USD', occurred_at: '2025-03-01T10:00:00.000Z', by_currency: { USD: amount } });

  test('its payment and fee are expected under the subscription keys', () => {
    assert.deepEqual(expectedEntries(charge).map((e) => [e.key, e.amount_minor]), [['subscription:sub_1:payment:in_1', 2000], ['subscription:sub_1:fee:txn_in', 88]]);
  });

  test('the subscription payment and fee entries match it: clean', () => {
    const payment = entry('subscription:sub_1:payment:in_1', 2000, 'subscription_payment');
    const fee = entry('subscription:sub_1:fee:txn_in', 88, 'stripe_fee');
    const r = reconcile('2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z', [charge], new Map([[payment.idempotency_key, payment], [fee.idempotency_key, fee]]), [payment, fee]);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.matched.map((m) => m.key), ['subscription:sub_1:payment:in_1', 'subscription:sub_1:fee:txn_in']);
  });
});
