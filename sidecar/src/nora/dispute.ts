import { DomainError } from '../kernel/index.js';
import { formatMoney } from './format.js';
import { expectKind, type PolicyVersion } from './policy-version.js';

/**
 * Who bears a closed dispute. With 'host_up_to_payout_then_platform' the host bears the disputed
 * amount up to what the host was paid for the booking (reversing the transfer), the platform the rest.
 * "Paid" is the host's payout whatever its timing: sent, in flight (a transfer intent Stripe has not
 * confirmed, e.g. through an outage: reversed once it lands) or still pending (the host's share not
 * yet decided: `host_payout_pending_minor`, withheld from that payout instead of reversed). One
 * outcome whether the dispute closes before or after the payout goes out. A payout is paid also
 * where it settled what the host owed instead of being transferred (`host_deducted_minor`, part of
 * `host_paid_out_minor`: penalties or subscription offsets deducted from it): that part, having no
 * transfer to reverse, is owed again (`reowed`, deducted from later payouts as a penalty is), first;
 * the rest is reversed. Simulation seed 4282: with the dispute reported after such a payout, the
 * platform bore the host's part.
 */
export function disputeLiability(input: {
  dispute: PolicyVersion; status: 'lost' | 'won'; currency: string; disputed_minor: number; dispute_fee_minor: number; host_paid_out_minor: number;
  host_payout_pending_minor?: number; host_deducted_minor?: number;
}): { host_bears: number; platform_bears: number; withheld_from_payout: number; reowed: number; explanation: string[] } {
  const doc = expectKind(input.dispute, 'dispute');
  const pending = input.host_payout_pending_minor ?? 0;
  const deducted = input.host_deducted_minor ?? 0;
  for (const [k, v] of [['disputed_minor', input.disputed_minor], ['dispute_fee_minor', input.dispute_fee_minor], ['host_paid_out_minor', input.host_paid_out_minor], ['host_payout_pending_minor', pending], ['host_deducted_minor', deducted]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new DomainError('validation_failed', `${k} must be an integer >= 0`, { field: k });
  }
  const side = doc.rules[input.status];
  const m = (n: number) => formatMoney(n, input.currency);
  let host_bears = 0;
  let platform_bears = 0;
  if (side.disputed_amount === 'host_up_to_payout_then_platform') {
    const from_host = Math.min(input.disputed_minor, input.host_paid_out_minor + pending);
    host_bears += from_host;
    platform_bears += input.disputed_minor - from_host;
  } else if (side.disputed_amount === 'platform') {
    platform_bears += input.disputed_minor;
  }
  if (side.dispute_fee === 'host') host_bears += input.dispute_fee_minor;
  else if (side.dispute_fee === 'platform') platform_bears += input.dispute_fee_minor;
  // What the host bears comes first off the payout not yet made (no transfer to reverse), the rest by reversal.
  const withheld_from_payout = Math.min(host_bears, pending);
  // Then off what a payout settled instead of transferring (no transfer to reverse): owed again.
  const reowed = Math.min(host_bears - withheld_from_payout, deducted, input.host_paid_out_minor);
  const reversed = host_bears - withheld_from_payout - reowed;
  const explanation = [
    `${doc.title} v${doc.version}: dispute ${input.status}; disputed ${m(input.disputed_minor)} (${side.disputed_amount}), fee ${m(input.dispute_fee_minor)} (${side.dispute_fee}).`,
    `Host bears ${m(host_bears)}; platform bears ${m(platform_bears)}.`,
    ...(withheld_from_payout > 0 ? [`${m(withheld_from_payout)} of it is withheld from the host's payout not yet made${reowed > 0 ? '' : `; ${m(reversed)} is recovered by transfer reversal`}.`] : []),
    ...(reowed > 0 ? [`${m(reowed)} of it was paid by settling what the host owed, not by transfer: owed again, deducted from later payouts; ${m(reversed)} is recovered by transfer reversal.`] : []),
  ];
  return { host_bears, platform_bears, withheld_from_payout, reowed, explanation };
}

/** The recorded outcome of a dispute decision (the key appears only when something is withheld, so earlier outcomes hash as before). */
export function disputeOutcomeOf(l: { host_bears: number; platform_bears: number; withheld_from_payout: number; reowed: number; explanation: string[] }) {
  return {
    host_bears: l.host_bears, platform_bears: l.platform_bears, ...(l.withheld_from_payout > 0 ? { withheld_from_payout: l.withheld_from_payout } : {}),
    ...(l.reowed > 0 ? { reowed_minor: l.reowed } : {}), explanation: l.explanation,
  };
}
