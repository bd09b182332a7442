import { DomainError } from '../kernel/index.js';
import { decideCancellation, parseAt, type CancellationPolicies } from './cancellation.js';
import { checkInMoment, checkFacts, type BookingFacts } from './facts.js';
import { expectKind, ruleRefOf } from './policy-version.js';
import { priceOf } from './price.js';

export type ConstraintAction = 'guest_cancel' | 'host_cancel' | 'modify' | 'redeem_credits';
export type Constraint = { action: ConstraintAction; allowed: boolean; reason?: string; policy: string; version: number };

function entry(action: ConstraintAction, ref: { policy: string; version: number }, reason: string | undefined): Constraint {
  const c: Constraint = { action, allowed: reason === undefined, policy: ref.policy, version: ref.version };
  if (reason !== undefined) c.reason = reason;
  return c;
}

/**
 * Which actions the policies allow on a booking at `at`, each with the reason code and the policy
 * that says so. Cancels follow decideCancellation; modify is allowed on an active booking until the
 * check-in moment (inclusive, like every edge); credits can be redeemed on an active, unpaid booking
 * whose service fee is not yet fully covered by credits, when the guest holds any.
 */
export function constraints(input: { policies: CancellationPolicies; facts: BookingFacts; at: string; credits_balance: number }): Constraint[] {
  const { policies, facts, at } = input;
  if (!Number.isSafeInteger(input.credits_balance) || input.credits_balance < 0) {
    throw new DomainError('validation_failed', 'credits_balance must be an integer >= 0', { field: 'credits_balance' });
  }
  checkFacts(facts);
  const at_ms = parseAt(at);
  const guest = decideCancellation({ policies, facts, by: 'guest', at });
  const host = decideCancellation({ policies, facts, by: 'host', at });
  const cancellation = ruleRefOf(policies.cancellation);
  const loyaltyRef = ruleRefOf(policies.loyalty);
  const statusReason = facts.status === 'cancelled' ? 'booking_cancelled' : facts.status === 'completed' ? 'stay_completed' : undefined;

  const modifyReason = statusReason ?? (at_ms > checkInMoment(facts) ? 'checked_in' : undefined);

  const loyalty = expectKind(policies.loyalty, 'loyalty');
  const price = priceOf(facts, loyalty);
  const redeemReason = statusReason
    ?? (facts.paid_minor > 0 ? 'already_paid' : undefined)
    ?? (input.credits_balance === 0 ? 'no_credits' : undefined)
    ?? (price.service_fee_cash === 0 ? 'no_service_fee_left' : undefined);

  return [
    entry('guest_cancel', cancellation, guest.allowed ? undefined : guest.reason),
    entry('host_cancel', ruleRefOf(policies.host_cancellation), host.allowed ? undefined : host.reason),
    entry('modify', cancellation, modifyReason),
    entry('redeem_credits', loyaltyRef, redeemReason),
  ];
}
