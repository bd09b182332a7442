/**
 * Where the money ended, what hosts still owe counted as settled (money-ended.ts): equal for two
 * runs that differ only in whether a penalty met a later payout (seed 2612), different for a
 * penalty lost or deducted twice (seed 189's bug) — the comparison is not loosened past that.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chart } from '../flows/vocabulary.js';
import { moneyEnded, type NetBalance } from './money-ended.js';

const H = 'host_s2612_0';
const penalties = chart.hostPenalties(H, 'USD').code;
const cash = chart.stripeBalance('USD').code;
const bal = (account: string, net: number): NetBalance => ({ account, unit: 'USD', net: BigInt(net) });
const paid = (amount: number) => ({ host: H, currency: 'usd', amount });

// seed 2612's two ends: the fault-free run paid 117,467 before the 28,450 penalty and nothing after;
// with a late account.updated the payout was released after the penalty and deducted it
const faultFree = moneyEnded([bal(penalties, 28450), bal(cash, 1727), bal('platform:fee_revenue:USD', -900)], [paid(117467)]);
const withLateRelease = moneyEnded([bal(cash, 30177), bal('platform:fee_revenue:USD', -900)], [paid(89017)]);

describe('where the money ended, what hosts still owe counted as settled', () => {
  test('a penalty still owed and the same penalty deducted from a later payout end the same', () => {
    assert.deepEqual(faultFree.movements, withLateRelease.movements);
    assert.deepEqual(faultFree.movements, ['platform:fee_revenue:USD USD -900', 'platform:stripe_balance:USD USD 30177', `stripe transfers to ${H} USD less what is still owed 89017`]);
    assert.deepEqual(faultFree.owed, [`${penalties} USD 28450`]);
    assert.deepEqual(withLateRelease.owed, []);
    assert.deepEqual([...faultFree.problems, ...withLateRelease.problems], []);
  });

  test('a penalty lost (neither owed nor deducted) still differs', () => {
    const lost = moneyEnded([bal(cash, 1727), bal('platform:fee_revenue:USD', -900)], [paid(117467)]);
    assert.notDeepEqual(lost.movements, faultFree.movements);
  });

  test('a penalty deducted twice (owed below zero) is not settled away: it differs and is a problem', () => {
    // seed 189's bug: two payouts each deducted the penalty, the receivable went to −28,450
    const twice = moneyEnded([bal(penalties, -28450), bal(cash, 58627), bal('platform:fee_revenue:USD', -900)], [paid(60567)]);
    assert.notDeepEqual(twice.movements, faultFree.movements);
    assert.ok(twice.movements.includes(`${penalties} USD -28450`));
    assert.equal(twice.problems.length, 1);
    assert.match(twice.problems[0]!, /more penalty deducted from payouts than the host owed/);
  });

  test('subscription offsets still owed are settled the same way; other hosts and currencies stay apart', () => {
    const offsets = chart.hostOffsetReceivable(H, 'USD').code;
    const owed = moneyEnded([bal(offsets, 500), bal(cash, 0)], [paid(1000), { host: 'host_other', currency: 'usd', amount: 700 }, { host: H, currency: 'eur', amount: 300 }]);
    assert.deepEqual(owed.movements, ['platform:stripe_balance:USD USD 500', 'stripe transfers to host_other USD less what is still owed 700', `stripe transfers to ${H} EUR less what is still owed 300`, `stripe transfers to ${H} USD less what is still owed 500`]);
  });

  test('an overdue invoice offset (still owed) and the same invoice paid by card end the same, less Stripe fee (seed 1597)', () => {
    const offsets = chart.hostOffsetReceivable(H, 'USD').code;
    const fees = chart.stripeFees('USD').code;
    // fault-free: offset from the next payout, not yet deducted; with an outage: paid by card first, the offset undone
    const offset = moneyEnded([bal(offsets, 5000), bal(cash, 1000), bal(fees, 100)], [paid(10000)]);
    const byCard = moneyEnded([bal(cash, 1000 + 5000 - 175), bal(fees, 100 + 175)], [paid(10000)], [{ host: H, currency: 'USD', paid_minor: 5000, fee_minor: 175 }]);
    assert.deepEqual(byCard.movements, offset.movements);
    assert.deepEqual(offset.movements, [`${fees} USD 100`, `${cash} USD 6000`, `stripe transfers to ${H} USD less what is still owed 5000`].sort());
    // the card payment not recognised in the ledger (no cash for it) still differs
    const lost = moneyEnded([bal(cash, 1000), bal(fees, 100)], [paid(10000)], [{ host: H, currency: 'USD', paid_minor: 0, fee_minor: 0 }]);
    assert.notDeepEqual(lost.movements, offset.movements);
  });

  test('the chart names what a host owes as money-ended.ts reads it (a rename turns this red)', () => {
    const r = moneyEnded([bal(penalties, 1), bal(chart.hostOffsetReceivable(H, 'USD').code, 1)], []);
    assert.equal(r.owed.length, 2);
  });
});
