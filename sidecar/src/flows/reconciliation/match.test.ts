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
