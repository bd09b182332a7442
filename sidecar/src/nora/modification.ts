import { hashOf, parseIsoUtc, type Sha256Hash } from '../kernel/index.js';
import { checkInMoment, type BookingFacts } from './facts.js';
import { formatMoney } from './format.js';
import { paymentSplit } from './payments.js';
import { expectKind, ruleRefOf, type PolicyVersion, type RuleRef } from './policy-version.js';

/** The new values of the fields a booking.modified changes. */
export type ModificationChanges = Partial<Pick<BookingFacts, 'check_in' | 'check_out' | 'nightly_total' | 'cleaning_fee' | 'guest_service_fee' | 'taxes'>>;

export type ModificationOutcome = {
  currency: string;
  old_total: number;
  new_total: number;
  /** What goes back to the guest (a decrease), else 0. */
  refund_to_guest: number;
  /** What the guest still owes (an increase), else 0. */
  balance_due: number;
  /** Signed changes of what each booking liability holds (new split − old split). */
  deltas: { host_share: number; platform_fees: number; taxes: number };
  /** The platform's host fee within the platform_fees change (what the host statement shows). */
  host_fee_delta: number;
  new_values: Required<ModificationChanges>;
};

export type ModificationDecision = {
  allowed: boolean; reason: string | null; moves_money: boolean;
  rule: RuleRef; outcome: ModificationOutcome; outcome_hash: Sha256Hash; explanation: string[];
};

/**
 * A change of a paid booking, decided by the modification policy: the old and the new price are
 * each split by the pinned fees policy; a lower total refunds exactly the difference, a higher one
 * is a balance due. `by` is who asks; it does not change the money under v1 and is not hashed (the
 * booking.modified event does not carry it).
 */
export function decideModification(input: {
  modification: PolicyVersion; fees: PolicyVersion; loyalty?: PolicyVersion; facts: BookingFacts; changes: ModificationChanges; at: string;
}): ModificationDecision {
  const doc = expectKind(input.modification, 'modification');
  const { facts, changes } = input;
  const next: BookingFacts = { ...facts, ...changes };
  const split = (f: BookingFacts) => paymentSplit({ fees: input.fees, facts: f, ...(input.loyalty ? { loyalty: input.loyalty } : {}) });
  const before = split(facts);
  const after = split(next);
  const delta = after.expected_total - before.expected_total;
  const outcome: ModificationOutcome = {
    currency: facts.currency,
    old_total: before.expected_total,
    new_total: after.expected_total,
    refund_to_guest: Math.max(0, -delta),
    balance_due: Math.max(0, delta),
    deltas: {
      host_share: after.host_share - before.host_share,
      platform_fees: (after.guest_service_fee + after.host_fee) - (before.guest_service_fee + before.host_fee),
      taxes: after.taxes - before.taxes,
    },
    host_fee_delta: after.host_fee - before.host_fee,
    new_values: { check_in: next.check_in, check_out: next.check_out, nightly_total: next.nightly_total, cleaning_fee: next.cleaning_fee, guest_service_fee: next.guest_service_fee, taxes: next.taxes },
  };
  const moves_money = facts.paid_minor > 0 && delta !== 0;
  let reason: string | null = null;
  if (facts.status !== 'active') reason = 'booking_not_active';
  else if (moves_money && doc.rules.allowed_until === 'check_in_moment' && parseIsoUtc(input.at) >= checkInMoment(facts)) reason = 'after_check_in';
  const rule = ruleRefOf(input.modification);
  const m = (n: number) => formatMoney(n, facts.currency);
  const explanation = [
    `${doc.title} v${doc.version}: total ${m(before.expected_total)} → ${m(after.expected_total)}.`,
    !moves_money ? 'No money moves.' : delta < 0 ? `The guest gets back the difference, ${m(-delta)}.` : `The guest owes the difference, ${m(delta)}, paid by a further payment.`,
    `Host share ${m(before.host_share)} → ${m(after.host_share)}.`,
  ];
  return { allowed: reason === null, reason, moves_money, rule, outcome, outcome_hash: modificationOutcomeHash(facts.booking_id, rule, outcome), explanation };
}

export function modificationOutcomeHash(booking_id: string, rule: RuleRef, outcome: ModificationOutcome): Sha256Hash {
  return hashOf({ booking_id, action: 'modify', rule: { policy: rule.policy, version: rule.version, hash: rule.hash }, outcome });
}
