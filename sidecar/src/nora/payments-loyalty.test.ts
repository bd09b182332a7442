import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashOf, sha256Hex } from '../kernel/index.js';
import {
  consentHash, constraints, disputeLiability, loyaltyEarn, outcomeHash, paymentSplit, payoutDueAt, payoutHold, zeroOutcome, type BookingFacts,
} from './index.js';
import { cancellationPolicies, loadPolicy } from '../policy-files.js';

const FACTS: BookingFacts = {
  booking_id: 'bk_2', currency: 'USD', nightly_total: 30000, cleaning_fee: 5001, guest_service_fee: 4000, taxes: 3000,
  check_in: '2026-03-07', check_out: '2026-03-10', check_in_time: '15:00', time_zone: 'America/New_York',
  confirmed_at: '2026-01-10T09:00:00Z', status: 'active', paid_minor: 42001, host_paid_out_minor: 0,
};
const fees = loadPolicy('fees', 'standard');
const loyalty = loadPolicy('loyalty', 'standard');

describe('paymentSplit', () => {
  test('host fee 3% of the listing price rounded down; totals add up', () => {
    const s = paymentSplit({ fees, facts: FACTS });
    assert.equal(s.expected_total, 42001);
    assert.equal(s.host_fee, 1050); // floor(35001 * 0.03) = floor(1050.03)
    assert.equal(s.host_share, 35001 - 1050);
    assert.equal(s.guest_service_fee, 4000);
    assert.equal(s.taxes, 3000);
  });
  test('redeemed credits discount the service fee (100 credits = 1.00), capped at the fee, and need the loyalty policy', () => {
    const facts = { ...FACTS, credits_redeemed: 1234 };
    const s = paymentSplit({ fees, facts, loyalty });
    assert.equal(s.credits_discount, 1234);
    assert.equal(s.expected_total, 42001 - 1234);
    assert.equal(paymentSplit({ fees, facts: { ...FACTS, credits_redeemed: 999_999 }, loyalty }).guest_service_fee, 0);
    assert.throws(() => paymentSplit({ fees, facts }), /loyalty policy/);
  });
  test('JPY: 100 credits = JPY 1', () => {
    const s = paymentSplit({ fees, facts: { ...FACTS, currency: 'JPY', guest_service_fee: 5000, credits_redeemed: 250 }, loyalty });
    assert.equal(s.credits_discount, 2);
  });
});

describe('payout timing and holds', () => {
  test('due 24 h after the check-in moment (15:00 EST = 20:00Z), across the spring-forward night', () => {
    // DST starts in New York 2026-03-08: 24 real hours after 2026-03-07T20:00Z is 2026-03-08T20:00Z (16:00 EDT)
    assert.equal(payoutDueAt({ payout: loadPolicy('payout_timing', 'standard'), facts: FACTS }), '2026-03-08T20:00:00Z');
  });
  test('held for past_due, unpaid, canceled; not for active or no subscription', () => {
    const hold = loadPolicy('payout_hold', 'standard');
    for (const s of ['past_due', 'unpaid', 'canceled']) assert.deepEqual(payoutHold({ hold, host: { subscription_status: s } }), { held: true, reason: `subscription_${s}` });
    for (const s of ['active', 'trialing', null]) assert.deepEqual(payoutHold({ hold, host: { subscription_status: s } }), { held: false });
  });
  test('a policy of the wrong kind is refused', () => {
    assert.throws(() => payoutHold({ hold: fees, host: { subscription_status: null } }), (e: unknown) => (e as { code?: string }).code === 'unknown_policy');
  });
});

describe('loyalty', () => {
  test('1 credit per whole unit kept; expires 365 days later', () => {
    const e = loyaltyEarn({ loyalty, facts: FACTS, nightly_kept: 30099, completed_at: '2026-03-10T16:00:00Z' });
    assert.equal(e.credits, 300);
    assert.equal(e.expires_at, '2027-03-10T16:00:00Z');
    assert.match(e.explanation[0]!, /300 credits/);
  });
  test('JPY: 1 credit per yen', () => {
    assert.equal(loyaltyEarn({ loyalty, facts: { ...FACTS, currency: 'JPY' }, nightly_kept: 30099, completed_at: '2026-03-10T16:00:00Z' }).credits, 30099);
  });
});

describe('dispute', () => {
  const dispute = loadPolicy('dispute', 'standard');
  test('lost: host bears up to the payout, the platform the rest and the fee', () => {
    assert.deepEqual(
      { ...disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 42001, dispute_fee_minor: 1500, host_paid_out_minor: 33951 }), explanation: [] },
      { host_bears: 33951, platform_bears: 42001 - 33951 + 1500, withheld_from_payout: 0, reowed: 0, explanation: [] },
    );
  });
  test('lost before the payout went out: the host bears the same, withheld from the pending payout', () => {
    const paid = disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 5000, dispute_fee_minor: 1500, host_paid_out_minor: 33951 });
    const pending = disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 5000, dispute_fee_minor: 1500, host_paid_out_minor: 0, host_payout_pending_minor: 33951 });
    assert.deepEqual([pending.host_bears, pending.platform_bears], [paid.host_bears, paid.platform_bears], 'one outcome whatever the timing');
    assert.equal(pending.withheld_from_payout, 5000);
    assert.equal(paid.withheld_from_payout, 0);
    assert.match(pending.explanation.at(-1)!, /withheld from the host's payout/);
    const partly = disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 42001, dispute_fee_minor: 0, host_paid_out_minor: 0, host_payout_pending_minor: 33951 });
    assert.deepEqual([partly.host_bears, partly.platform_bears, partly.withheld_from_payout], [33951, 42001 - 33951, 33951]);
    assert.throws(() => disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 1, dispute_fee_minor: 0, host_paid_out_minor: 0, host_payout_pending_minor: -1 }), /host_payout_pending_minor/);
  });
  test('lost after a payout that settled what the host owed: the host bears the same, the deducted part owed again first (seed 4282)', () => {
    // the host's share of 24,347 went wholly to a penalty: no transfer, nothing to reverse
    const deducted = disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 34500, dispute_fee_minor: 1500, host_paid_out_minor: 24347, host_deducted_minor: 24347 });
    const pending = disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 34500, dispute_fee_minor: 1500, host_paid_out_minor: 0, host_payout_pending_minor: 24347 });
    assert.deepEqual([deducted.host_bears, deducted.platform_bears], [pending.host_bears, pending.platform_bears], 'one outcome whatever the timing');
    assert.deepEqual([deducted.reowed, deducted.withheld_from_payout], [24347, 0]);
    assert.match(deducted.explanation.at(-1)!, /owed again/);
    // partly transferred, partly deducted: the deducted part first, the rest reversed
    const mixed = disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 20000, dispute_fee_minor: 0, host_paid_out_minor: 24347, host_deducted_minor: 4347 });
    assert.deepEqual([mixed.host_bears, mixed.reowed], [20000, 4347]);
    assert.throws(() => disputeLiability({ dispute, status: 'lost', currency: 'USD', disputed_minor: 1, dispute_fee_minor: 0, host_paid_out_minor: 0, host_deducted_minor: -1 }), /host_deducted_minor/);
  });
  test('won: the platform bears only the fee', () => {
    const r = disputeLiability({ dispute, status: 'won', currency: 'USD', disputed_minor: 42001, dispute_fee_minor: 1500, host_paid_out_minor: 33951 });
    assert.equal(r.host_bears, 0);
    assert.equal(r.platform_bears, 1500);
  });
});

describe('constraints', () => {
  const policies = cancellationPolicies('moderate');
  test('active, paid, before check-in: cancels and modify allowed; credits refused (already paid)', () => {
    const c = constraints({ policies, facts: FACTS, at: '2026-03-01T00:00:00Z', credits_balance: 500 });
    assert.deepEqual(c.map((x) => [x.action, x.allowed, x.reason ?? null, x.policy]), [
      ['guest_cancel', true, null, 'cancellation/moderate'],
      ['host_cancel', true, null, 'host_cancellation/standard'],
      ['modify', true, null, 'cancellation/moderate'],
      ['redeem_credits', false, 'already_paid', 'loyalty/standard'],
    ]);
  });
  test('unpaid with credits: redeem allowed; without: no_credits; after check-in modify is refused', () => {
    const unpaid = { ...FACTS, paid_minor: 0 };
    assert.equal(constraints({ policies, facts: unpaid, at: '2026-03-01T00:00:00Z', credits_balance: 1 })[3]!.allowed, true);
    assert.equal(constraints({ policies, facts: unpaid, at: '2026-03-01T00:00:00Z', credits_balance: 0 })[3]!.reason, 'no_credits');
    assert.equal(constraints({ policies, facts: FACTS, at: '2026-03-07T20:00:01Z', credits_balance: 0 })[2]!.reason, 'checked_in');
    assert.equal(constraints({ policies, facts: FACTS, at: '2026-03-07T20:00:00Z', credits_balance: 0 })[2]!.allowed, true);
  });
  test('cancelled booking: every action refused with booking_cancelled', () => {
    const c = constraints({ policies, facts: { ...FACTS, status: 'cancelled' }, at: '2026-03-01T00:00:00Z', credits_balance: 5 });
    assert.deepEqual(c.map((x) => x.reason), ['booking_cancelled', 'booking_cancelled', 'booking_cancelled', 'booking_cancelled']);
  });
});

describe('hashes', () => {
  test('consent_hash is sha256 of the RFC 8785 JSON of exactly the five fields (known vector)', () => {
    const c = { booking_id: 'bk_1', action: 'cancel', outcome_hash: 'sha256:abc', actor: 'guest', consented_at: '2026-09-01T10:03:00Z' };
    const text = '{"action":"cancel","actor":"guest","booking_id":"bk_1","consented_at":"2026-09-01T10:03:00Z","outcome_hash":"sha256:abc"}';
    assert.equal(consentHash(c), `sha256:${sha256Hex(text)}`);
    assert.equal(consentHash({ ...c, extra: 'ignored' } as typeof c), consentHash(c));
  });
  test('outcome_hash covers booking, action, by, rule and amounts', () => {
    const base = { booking_id: 'bk_1', action: 'cancel' as const, by: 'guest' as const, rule: { policy: 'cancellation/moderate', version: 1, hash: 'sha256:x' }, outcome: zeroOutcome('USD') };
    assert.equal(outcomeHash(base), hashOf(base));
    assert.notEqual(outcomeHash(base), outcomeHash({ ...base, outcome: { ...base.outcome, host_penalty: 1 } }));
    assert.notEqual(outcomeHash(base), outcomeHash({ ...base, rule: { ...base.rule, version: 2 } }));
  });
});
