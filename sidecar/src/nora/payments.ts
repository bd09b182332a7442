import { formatIsoUtc, HOUR_MS, mulDivFloor, parseIsoUtc } from '../kernel/index.js';
import { checkFacts, checkInMoment, type BookingFacts } from './facts.js';
import { describeDuration, durationMs, formatMoney, percentOfBps } from './format.js';
import { expectKind, type PolicyVersion } from './policy-version.js';
import { priceOf } from './price.js';

/**
 * What the guest is charged and how the listing price splits between host and platform when the
 * stay goes ahead. `loyalty` is needed only when credits were redeemed (to value them).
 */
export function paymentSplit(input: { fees: PolicyVersion; facts: BookingFacts; loyalty?: PolicyVersion }): {
  expected_total: number; host_share: number; host_fee: number; guest_service_fee: number; credits_discount: number; taxes: number; explanation: string[];
} {
  const fees = expectKind(input.fees, 'fees');
  const { facts } = input;
  checkFacts(facts);
  const loyalty = input.loyalty ? expectKind(input.loyalty, 'loyalty') : undefined;
  const price = priceOf(facts, loyalty);
  const m = (n: number) => formatMoney(n, facts.currency);
  const host_fee = mulDivFloor(price.listing_price, fees.rules.host_fee_bps, 10_000);
  const host_share = price.listing_price - host_fee;
  const explanation = [
    `Listing price ${m(price.listing_price)} (nightly ${m(price.nightly_total)} + cleaning ${m(price.cleaning_fee)}); guest service fee ${m(price.service_fee_cash)}${price.credits_discount > 0 ? ` after ${price.credits_redeemed} credits (${m(price.credits_discount)}, borne by the platform)` : ''}; taxes ${m(price.taxes)}; total ${m(price.expected_total)}.`,
    `${fees.title} v${fees.version}: host fee ${percentOfBps(fees.rules.host_fee_bps)} of ${m(price.listing_price)} = ${m(host_fee)} (rounded down); host share ${m(host_share)}.`,
  ];
  return { expected_total: price.expected_total, host_share, host_fee, guest_service_fee: price.service_fee_cash, credits_discount: price.credits_discount, taxes: price.taxes, explanation };
}

/** When the host's share becomes due: the check-in moment plus the policy's delay (real elapsed time). */
export function payoutDueAt(input: { payout: PolicyVersion; facts: BookingFacts }): string {
  const doc = expectKind(input.payout, 'payout_timing');
  return formatIsoUtc(checkInMoment(input.facts) + durationMs(doc.rules.delay));
}

export function describePayoutTiming(payout: PolicyVersion): string {
  const doc = expectKind(payout, 'payout_timing');
  return `${doc.title} v${doc.version}: the host's share is due ${describeDuration(doc.rules.delay)} after the check-in moment.`;
}

/** Whether payouts to a host are held, by the host's subscription status (null: no subscription). */
export function payoutHold(input: { hold: PolicyVersion; host: { subscription_status: string | null; account_changed_at?: string | null }; at?: string }): { held: boolean; reason?: string; until?: string } {
  const doc = expectKind(input.hold, 'payout_hold');
  // A changed payout destination first: money must not follow a re-pointed account at once.
  const hours = doc.rules.new_account_hold_hours ?? 0;
  const changed = input.host.account_changed_at;
  if (hours > 0 && changed && input.at) {
    const until_ms = parseIsoUtc(changed) + hours * HOUR_MS;
    if (parseIsoUtc(input.at) < until_ms) return { held: true, reason: 'new_payout_account', until: formatIsoUtc(until_ms) };
  }
  const status = input.host.subscription_status;
  if (status === null) return doc.rules.hold_when_no_subscription ? { held: true, reason: 'no_subscription' } : { held: false };
  return doc.rules.hold_when_subscription_status.includes(status) ? { held: true, reason: `subscription_${status}` } : { held: false };
}
