import { DomainError, canonicalJson, formatIsoUtc, mulDivCeil, mulDivFloor, parseIsoUtc, splitEvenly, type Sha256Hash } from '../kernel/index.js';
import { conditionEdges, conditionHolds } from './conditions.js';
import { checkFacts, nightsStayed, timelineOf, type BookingFacts, type Timeline } from './facts.js';
import { describeRelativeToCheckIn, formatMoney, percentOfBps } from './format.js';
import { outcomeHash } from './hashes.js';
import { describeHostCancellationCredit, hostCancellationCredits } from './loyalty.js';
import { zeroOutcome, type Actor, type CancellationOutcome } from './outcome.js';
import { expectKind, ruleRefOf, type PolicyVersion, type RuleRef } from './policy-version.js';
import { priceOf, type Price } from './price.js';
import type { CancellationDocument, FeesDocument, HostCancellationDocument, LoyaltyDocument, NightlyRule } from './schema.js';

export type CancellationPolicies = { cancellation: PolicyVersion; host_cancellation: PolicyVersion; fees: PolicyVersion; loyalty: PolicyVersion };

export type Decision = {
  allowed: boolean;
  reason?: string;
  rule: RuleRef;
  /** every policy version the decision read (the rule first) */
  applied: RuleRef[];
  outcome: CancellationOutcome;
  explanation: string[];
  valid_until: string | null;
  outcome_hash: Sha256Hash;
};

/** Reason codes for a refused cancellation. */
export const CANCEL_REFUSALS = ['booking_cancelled', 'stay_completed', 'checked_out', 'payment_mismatch'] as const;
export type CancelRefusal = (typeof CANCEL_REFUSALS)[number];

type Context = {
  facts: BookingFacts;
  timeline: Timeline;
  price: Price;
  cancellation: CancellationDocument;
  host: HostCancellationDocument;
  fees: FeesDocument;
  loyalty: LoyaltyDocument;
};

type Evaluation = { allowed: boolean; reason?: CancelRefusal; outcome: CancellationOutcome; explanation: string[] };

const REFUSAL_TEXT: Record<CancelRefusal, string> = {
  booking_cancelled: 'the booking is already cancelled',
  stay_completed: 'the stay is completed',
  checked_out: 'the check-out moment has passed',
  payment_mismatch: 'the amount paid differs from the booking total; the payment must be settled before a policy can decide',
};

function money(ctx: Context, minor: number): string {
  return formatMoney(minor, ctx.facts.currency);
}

function nightsLabel(first: number, last: number): string {
  if (last < first) return 'no nights';
  return first === last ? `night ${first}` : `nights ${first}–${last}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Refund of the nightly total under one rule, rounded up, with its explanation line. */
function nightlyRefund(ctx: Context, rule: NightlyRule, at_ms: number): { refund: number; line: string } {
  const N = ctx.price.nightly_total;
  if (rule.mode === 'percent') {
    const refund = mulDivCeil(N, rule.refund_bps, 10_000);
    if (rule.refund_bps === 10_000) return { refund, line: `Nightly total ${money(ctx, N)} refunded in full.` };
    if (rule.refund_bps === 0) return { refund, line: `Nightly total ${money(ctx, N)} not refunded.` };
    return { refund, line: `${percentOfBps(rule.refund_bps)} of the nightly total ${money(ctx, N)} refunded: ${money(ctx, refund)} (rounded up).` };
  }
  const nights = ctx.timeline.night_starts_ms.length;
  const per_night = splitEvenly(N, nights);
  const stayed = nightsStayed(ctx.timeline, at_ms);
  const kept_nights = Math.min(nights, stayed + rule.stayed_plus_nights);
  let kept = 0;
  for (let i = 0; i < kept_nights; i++) kept += per_night[i]!;
  const remaining = N - kept;
  const remaining_nights = nights - kept_nights;
  const refund = mulDivCeil(remaining, rule.remaining_refund_bps, 10_000);
  const head = `Host keeps ${nightsLabel(1, kept_nights)} (${money(ctx, kept)}: ${plural(stayed, 'night')} stayed + up to ${plural(rule.stayed_plus_nights, 'more night')})`;
  let tail: string;
  if (remaining_nights === 0) tail = '; no unstayed nights remain, nightly refund ' + money(ctx, 0) + '.';
  else if (rule.remaining_refund_bps === 10_000) tail = `; the ${plural(remaining_nights, 'remaining night')} (${money(ctx, remaining)}) are refunded in full.`;
  else {
    tail = ` and ${percentOfBps(10_000 - rule.remaining_refund_bps)} of the ${plural(remaining_nights, 'remaining night')} (${money(ctx, remaining)}); nightly refund ${money(ctx, refund)} (rounded up).`;
  }
  return { refund, line: head + tail };
}

function summary(ctx: Context, o: CancellationOutcome, paid: number): string {
  return `Refund to guest ${money(ctx, o.refund_to_guest)}; host payout ${money(ctx, o.host_payout)}; platform keeps ${money(ctx, o.platform_fee_kept)}; taxes kept ${money(ctx, o.taxes_kept)}; paid ${money(ctx, paid)}.`;
}

function refusal(ctx: Context, by: Actor, at_ms: number): CancelRefusal | undefined {
  if (ctx.facts.status === 'cancelled') return 'booking_cancelled';
  if (ctx.facts.status === 'completed') return 'stay_completed';
  if (at_ms > ctx.timeline.check_out_ms) return 'checked_out';
  const paid = ctx.facts.paid_minor;
  if (paid !== 0 && paid !== ctx.price.expected_total) return 'payment_mismatch';
  void by;
  return undefined;
}

function evaluateGuest(ctx: Context, at_ms: number): Evaluation {
  const { cancellation: doc, price, facts, timeline } = ctx;
  const prefix = `${doc.title} v${doc.version}`;
  const rel = describeRelativeToCheckIn(at_ms, timeline.check_in_ms);
  const o = zeroOutcome(facts.currency);
  if (facts.paid_minor === 0) {
    return { allowed: true, outcome: o, explanation: [`${prefix}: cancelled by the guest ${rel}.`, 'Nothing has been paid yet: nothing is refunded and nobody is paid.'] };
  }
  const window = [...doc.rules.overlays, ...doc.rules.windows].find((w) => conditionHolds(w.when, timeline, at_ms)) ?? doc.rules.otherwise;
  const lines: string[] = [`${prefix}: cancelled by the guest ${rel} (${window.label}).`];

  const nightly = nightlyRefund(ctx, window.nightly, at_ms);
  lines.push(nightly.line);
  const nightly_refund = nightly.refund;

  const before_check_in = at_ms <= timeline.check_in_ms;
  const cleaning_refund = before_check_in ? price.cleaning_fee : 0;
  if (price.cleaning_fee > 0) {
    lines.push(before_check_in
      ? `Cleaning fee ${money(ctx, price.cleaning_fee)} refunded (cancelled before check-in).`
      : `Cleaning fee ${money(ctx, price.cleaning_fee)} not refunded (cancelled after check-in).`);
  }

  const full_listing = nightly_refund === price.nightly_total && cleaning_refund === price.cleaning_fee;
  const service_fee_refund = full_listing ? price.service_fee_cash : 0;
  lines.push(full_listing
    ? `Guest service fee ${money(ctx, price.service_fee_cash)} refunded (full refund of the listing price).`
    : `Guest service fee ${money(ctx, price.service_fee_cash)} kept by the platform (the listing price is not refunded in full).`);
  const credit_to_guest = full_listing ? price.credits_redeemed : 0;
  if (price.credits_redeemed > 0) {
    lines.push(full_listing
      ? `The ${price.credits_redeemed} loyalty credits redeemed on this booking are restored.`
      : `The ${price.credits_redeemed} loyalty credits redeemed on this booking are not restored (the service fee is kept).`);
  }

  const taxes_refund = price.nightly_total > 0 ? mulDivCeil(price.taxes, nightly_refund, price.nightly_total) : full_listing ? price.taxes : 0;
  if (price.taxes > 0) lines.push(`Taxes refunded in proportion to the nightly refund: ${money(ctx, taxes_refund)} of ${money(ctx, price.taxes)} (rounded up).`);

  const nightly_kept = price.nightly_total - nightly_refund;
  const cleaning_kept = price.cleaning_fee - cleaning_refund;
  const kept = nightly_kept + cleaning_kept;
  const host_fee = mulDivFloor(kept, ctx.fees.rules.host_fee_bps, 10_000);
  const host_payout = kept - host_fee;
  lines.push(`${ctx.fees.title} v${ctx.fees.version}: host fee ${percentOfBps(ctx.fees.rules.host_fee_bps)} of the ${money(ctx, kept)} the host keeps = ${money(ctx, host_fee)} (rounded down); host payout ${money(ctx, host_payout)}.`);

  const service_fee_kept = price.service_fee_cash - service_fee_refund;
  o.lines = { nightly_refund, cleaning_refund, service_fee_refund, taxes_refund, nightly_kept, cleaning_kept, host_fee, service_fee_kept };
  o.refund_to_guest = nightly_refund + cleaning_refund + service_fee_refund + taxes_refund;
  o.credit_to_guest = credit_to_guest;
  o.host_payout = host_payout;
  o.platform_fee_kept = host_fee + service_fee_kept;
  o.taxes_kept = price.taxes - taxes_refund;
  o.host_recovery = Math.max(0, facts.host_paid_out_minor - host_payout);
  if (o.host_recovery > 0) lines.push(`${money(ctx, o.host_recovery)} already paid out to the host is to be recovered from the host.`);
  lines.push(summary(ctx, o, facts.paid_minor));
  return { allowed: true, outcome: o, explanation: lines };
}

function evaluateHost(ctx: Context, at_ms: number): Evaluation {
  const { host: doc, price, facts, timeline } = ctx;
  const prefix = `${doc.title} v${doc.version}`;
  const rel = describeRelativeToCheckIn(at_ms, timeline.check_in_ms);
  const o = zeroOutcome(facts.currency);
  const paid = facts.paid_minor > 0;
  const lines: string[] = [paid
    ? `${prefix}: cancelled by the host ${rel}; the guest is refunded everything paid (${money(ctx, facts.paid_minor)}).`
    : `${prefix}: cancelled by the host ${rel}; nothing has been paid yet, so nothing is refunded.`];

  const tier = doc.rules.penalty_windows.find((w) => conditionHolds(w.when, timeline, at_ms)) ?? doc.rules.penalty_otherwise;
  o.host_penalty = mulDivFloor(price.listing_price, tier.penalty_bps, 10_000);
  lines.push(`Host penalty ${percentOfBps(tier.penalty_bps)} of the listing price ${money(ctx, price.listing_price)} (${tier.label}): ${money(ctx, o.host_penalty)} (rounded down), deducted from the host's future payouts.`);

  const earned = hostCancellationCredits(ctx.loyalty, facts.currency, price.listing_price);
  const restored = paid ? price.credits_redeemed : 0;
  o.credit_to_guest = earned + restored;
  lines.push(`Guest receives ${earned} loyalty credits (${describeHostCancellationCredit(ctx.loyalty)}).`);
  if (restored > 0) lines.push(`The ${restored} loyalty credits redeemed on this booking are restored.`);

  if (paid) {
    o.lines.nightly_refund = price.nightly_total;
    o.lines.cleaning_refund = price.cleaning_fee;
    o.lines.service_fee_refund = price.service_fee_cash;
    o.lines.taxes_refund = price.taxes;
    o.refund_to_guest = facts.paid_minor;
  }
  o.host_recovery = facts.host_paid_out_minor;
  if (o.host_recovery > 0) lines.push(`${money(ctx, o.host_recovery)} already paid out to the host is to be recovered from the host.`);
  lines.push(summary(ctx, o, facts.paid_minor));
  return { allowed: true, outcome: o, explanation: lines };
}

function evaluate(ctx: Context, by: Actor, at_ms: number): Evaluation {
  const refused = refusal(ctx, by, at_ms);
  if (refused) {
    const doc = by === 'guest' ? ctx.cancellation : ctx.host;
    return { allowed: false, reason: refused, outcome: zeroOutcome(ctx.facts.currency), explanation: [`${doc.title} v${doc.version}: cancellation refused: ${REFUSAL_TEXT[refused]}.`] };
  }
  return by === 'guest' ? evaluateGuest(ctx, at_ms) : evaluateHost(ctx, at_ms);
}

/** What makes two evaluations "the same outcome" for valid_until: everything the hash and the gate cover. */
function signature(e: Evaluation): string {
  return canonicalJson({ allowed: e.allowed, reason: e.reason ?? null, outcome: e.outcome });
}

/**
 * The last instant (inclusive) at which the outcome at `at_ms` still holds. The outcome is constant
 * on (E_i, E_i+1] between candidate edges, so it suffices to look 1 ms after each edge ≥ at.
 */
function validUntil(ctx: Context, by: Actor, at_ms: number, current: Evaluation): number | null {
  if (ctx.facts.status !== 'active') return null;
  const t = ctx.timeline;
  const edges: number[] = [t.check_in_ms, t.check_out_ms, ...t.night_starts_ms];
  if (by === 'guest') {
    for (const w of [...ctx.cancellation.rules.overlays, ...ctx.cancellation.rules.windows]) edges.push(...conditionEdges(w.when, t));
  } else {
    for (const w of ctx.host.rules.penalty_windows) edges.push(...conditionEdges(w.when, t));
  }
  const ahead = [...new Set(edges.filter((e) => e >= at_ms))].sort((a, b) => a - b);
  const sig = signature(current);
  for (const e of ahead) {
    if (signature(evaluate(ctx, by, e + 1)) !== sig) return e;
  }
  return null;
}

function contextOf(policies: CancellationPolicies, facts: BookingFacts): Context {
  checkFacts(facts);
  const loyalty = expectKind(policies.loyalty, 'loyalty');
  return {
    facts,
    timeline: timelineOf(facts),
    price: priceOf(facts, loyalty),
    cancellation: expectKind(policies.cancellation, 'cancellation'),
    host: expectKind(policies.host_cancellation, 'host_cancellation'),
    fees: expectKind(policies.fees, 'fees'),
    loyalty,
  };
}

export function parseAt(at: string): number {
  try {
    return parseIsoUtc(at);
  } catch {
    throw new DomainError('validation_failed', 'at must be an ISO 8601 UTC instant', { field: 'at', value: at });
  }
}

/** The cancellation decision for `by` at instant `at`: pure, deterministic, byte-identical for equal input. */
export function decideCancellation(input: { policies: CancellationPolicies; facts: BookingFacts; by: Actor; at: string }): Decision {
  const { policies, facts, by } = input;
  if (by !== 'guest' && by !== 'host') throw new DomainError('validation_failed', 'by must be guest or host', { field: 'by' });
  const at_ms = parseAt(input.at);
  const ctx = contextOf(policies, facts);
  const ev = evaluate(ctx, by, at_ms);
  const rulePolicy = by === 'guest' ? policies.cancellation : policies.host_cancellation;
  const rule = ruleRefOf(rulePolicy);
  const applied = by === 'guest'
    ? [rule, ruleRefOf(policies.fees), ruleRefOf(policies.loyalty)]
    : [rule, ruleRefOf(policies.loyalty)];
  const until_ms = validUntil(ctx, by, at_ms, ev);
  const valid_until = until_ms === null ? null : formatIsoUtc(until_ms);
  const explanation = [...ev.explanation, valid_until === null
    ? 'This outcome no longer changes with time.'
    : `This outcome holds until ${valid_until} inclusive.`];
  const decision: Decision = {
    allowed: ev.allowed,
    rule,
    applied,
    outcome: ev.outcome,
    explanation,
    valid_until,
    outcome_hash: outcomeHash({ booking_id: facts.booking_id, action: 'cancel', by, rule, outcome: ev.outcome }),
  };
  if (ev.reason !== undefined) decision.reason = ev.reason;
  return decision;
}
