import { DomainError, formatIsoUtc, floorDiv, minorPerMajor, mulDivFloor, parseIsoUtc } from '../kernel/index.js';
import type { BookingFacts } from './facts.js';
import { durationMs, describeDuration, formatMoney, percentOfBps } from './format.js';
import { expectKind, type PolicyVersion } from './policy-version.js';
import type { LoyaltyDocument } from './schema.js';

/**
 * Money value (minor units) of `credits` redeemed against a booking in `currency`, rounded down
 * (a fraction of a minor unit is never paid out), and never more than the guest service fee:
 * credits only discount that fee and never turn into cash.
 */
export function redeemValueMinor(doc: LoyaltyDocument, currency: string, credits: number, guest_service_fee: number): number {
  const value = mulDivFloor(credits, minorPerMajor(currency), doc.rules.redeem.credits_per_major_unit);
  return Math.min(value, guest_service_fee);
}

/** Credits a guest receives when the host cancels: bps of the listing price, per whole currency unit, rounded down. */
export function hostCancellationCredits(doc: LoyaltyDocument, currency: string, listing_price_minor: number): number {
  const r = doc.rules.host_cancellation_credit;
  const basis = mulDivFloor(listing_price_minor, r.bps, 10_000);
  return floorDiv(basis, minorPerMajor(currency)) * r.credits_per_major_unit;
}

/** When credits earned at `earned_at` expire, by the loyalty policy (real elapsed time). */
export function creditsExpireAt(input: { loyalty: PolicyVersion; earned_at: string }): string {
  const doc = expectKind(input.loyalty, 'loyalty');
  return formatIsoUtc(parseIsoUtc(input.earned_at) + durationMs(doc.rules.expiry.after));
}

/** Credits earned when a stay completes: per whole currency unit of the nightly total the host kept. */
export function loyaltyEarn(input: { loyalty: PolicyVersion; facts: BookingFacts; nightly_kept: number; completed_at: string }): {
  credits: number; expires_at: string; explanation: string[];
} {
  const doc = expectKind(input.loyalty, 'loyalty');
  const { facts, nightly_kept } = input;
  if (!Number.isSafeInteger(nightly_kept) || nightly_kept < 0) {
    throw new DomainError('validation_failed', 'nightly_kept must be an integer >= 0', { field: 'nightly_kept' });
  }
  let completed_ms: number;
  try { completed_ms = parseIsoUtc(input.completed_at); } catch {
    throw new DomainError('validation_failed', 'completed_at must be ISO 8601 UTC', { field: 'completed_at' });
  }
  const whole_units = floorDiv(nightly_kept, minorPerMajor(facts.currency));
  const credits = whole_units * doc.rules.earn.credits_per_major_unit;
  const expires_at = creditsExpireAt({ loyalty: input.loyalty, earned_at: formatIsoUtc(completed_ms) });
  const explanation = [
    `${doc.title} v${doc.version}: stay completed; the host kept ${formatMoney(nightly_kept, facts.currency)} of the nightly total = ${whole_units} whole ${facts.currency}, ${doc.rules.earn.credits_per_major_unit} credit(s) each: ${credits} credits.`,
    `The credits expire ${describeDuration(doc.rules.expiry.after)} after they were earned, at ${expires_at} (unusable from the first instant after it); they never convert to cash.`,
  ];
  return { credits, expires_at, explanation };
}

export function describeHostCancellationCredit(doc: LoyaltyDocument): string {
  const r = doc.rules.host_cancellation_credit;
  return `${doc.title} v${doc.version}: ${percentOfBps(r.bps)} of the listing price, ${r.credits_per_major_unit} credit per whole currency unit`;
}
