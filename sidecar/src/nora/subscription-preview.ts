import { DomainError, formatIsoUtc, hashOf, parseIsoUtc, type Sha256Hash } from '../kernel/index.js';
import { expectKind, ruleRefOf, type PolicyVersion, type RuleRef } from './policy-version.js';
import type { SubscriptionDocument } from './schema.js';
import type { SubscriptionState } from './subscription-state.js';

const DAY_MS = 86_400_000;

export type Plan = SubscriptionDocument['rules']['plans'][number];

/** What the host's subscription is, as the log knows it. */
export type SubscriptionFacts = {
  host_id: string;
  subscription_id: string;
  item_id: string;
  state: SubscriptionState;
  currency: string;
  price: string;
  quantity: number;
  period_start_ms: number;
  period_end_ms: number;
  /** Still owed on open invoices. */
  open_invoices_minor: number;
  payouts_held: boolean;
};

export type PlanChangeOutcome = {
  currency: string;
  from_price: string;
  to_price: string;
  proration_behavior: 'create_prorations' | 'always_invoice' | 'none';
  proration_date: string;
  unused_time_credit_minor: number;
  new_plan_charge_minor: number;
  net_minor: number;
  invoiced: 'now' | 'next_invoice' | 'nothing';
  billing_cycle: 'unchanged' | 'restarts';
  current_period_end: string;
  payouts: 'unchanged' | 'held_until_paid';
};

export type CancelOutcome = {
  currency: string;
  price: string;
  cancel_at: string;
  proration_date: string | null;
  unused_time_credit_minor: number;
  open_invoices_minor: number;
  payouts: 'unchanged' | 'held_until_paid';
};

export type SubscriptionDecision<O> = {
  allowed: boolean;
  reason?: string;
  rule: RuleRef;
  outcome: O;
  valid_until: string | null;
  explanation: string[];
  outcome_hash: Sha256Hash;
};

export function planOf(policy: PolicyVersion, price: string): Plan {
  const plan = expectKind(policy, 'subscription').rules.plans.find((p) => p.price === price);
  if (!plan) throw new DomainError('unknown_price', `price ${price} is not a plan of ${ruleRefOf(policy).policy} v${policy.version}`, { field: 'price' });
  return plan;
}

/** round(amount × num / den), half away from zero, exact (BigInt): how Stripe rounds a proration. */
export function prorate(amount_minor: number, num: number, den: number): number {
  if (den <= 0 || num < 0 || num > den) throw new RangeError('prorate expects 0 ≤ num ≤ den, den > 0');
  const neg = amount_minor < 0;
  const a = BigInt(Math.abs(amount_minor));
  const r = Number((2n * a * BigInt(num) + BigInt(den)) / (2n * BigInt(den)));
  return neg ? -r : r;
}

/** The proration instant: the start of the UTC day of `at`, never before the period started. */
export function prorationDateOf(at_ms: number, period_start_ms: number): number {
  return Math.max(period_start_ms, Math.floor(at_ms / DAY_MS) * DAY_MS);
}

function intervalMs(plan: Plan, from_ms: number): number {
  const d = new Date(from_ms);
  const n = plan.interval_count;
  switch (plan.interval) {
    case 'day': return n * DAY_MS;
    case 'week': return 7 * n * DAY_MS;
    case 'month': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) - from_ms;
    case 'year': return Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) - from_ms;
  }
}

/** The host's side of a subscription preview's hash: like a booking's, without the evaluation time. */
export function subscriptionOutcomeHash(x: { host_id: string; action: 'change_plan' | 'cancel_subscription'; subscription_id: string; rule: RuleRef; outcome: unknown }): Sha256Hash {
  return hashOf({ host_id: x.host_id, action: x.action, subscription_id: x.subscription_id, rule: { policy: x.rule.policy, version: x.rule.version, hash: x.rule.hash }, outcome: x.outcome });
}

/** consent_hash for a host's consent: the contract's five fields with host_id in place of booking_id. */
export function subscriptionConsentHash(c: { host_id: string; action: string; outcome_hash: string; actor: string; consented_at: string }): Sha256Hash {
  return hashOf({ host_id: c.host_id, action: c.action, outcome_hash: c.outcome_hash, actor: c.actor, consented_at: c.consented_at });
}

function refusal(sub: SubscriptionFacts): string | undefined {
  if (sub.state === 'canceled' || sub.state === 'incomplete_expired') return 'subscription_canceled';
  if (sub.state === 'past_due' || sub.state === 'unpaid') return 'subscription_past_due';
  if (sub.state === 'paused') return 'subscription_paused';
  if (sub.state === 'incomplete' || sub.state === 'none') return 'subscription_incomplete';
  return undefined;
}

/**
 * A plan change at `at`, prorated the way Stripe will be asked to (`proration_behavior` and
 * `proration_date` from the policy): the unused time of the current price is credited and the
 * remaining time at the new price charged, each rounded to the minor unit. A change of billing
 * interval restarts the cycle at the proration date: the new price is charged in full.
 */
export function decidePlanChange(input: { policy: PolicyVersion; sub: SubscriptionFacts; price: string; at: string }): SubscriptionDecision<PlanChangeOutcome> {
  const doc = expectKind(input.policy, 'subscription');
  const rule = ruleRefOf(input.policy);
  const { sub } = input;
  const to = planOf(input.policy, input.price);
  if (to.currency !== sub.currency) throw new DomainError('currency_mismatch', `price ${to.price} is in ${to.currency}, the subscription in ${sub.currency}`, { field: 'price' });
  const from = expectKind(input.policy, 'subscription').rules.plans.find((p) => p.price === sub.price);
  const at_ms = parseIsoUtc(input.at);
  const pd = prorationDateOf(at_ms, sub.period_start_ms);
  const behavior = doc.rules.plan_change.proration_behavior;
  const total = sub.period_end_ms - sub.period_start_ms;
  const remaining = Math.max(0, sub.period_end_ms - pd);
  const restarts = !!from && (from.interval !== to.interval || from.interval_count !== to.interval_count);
  const trial = sub.state === 'trialing';
  const prorating = behavior !== 'none' && !trial && total > 0;
  const fromAmount = (from?.amount_minor ?? 0) * sub.quantity;
  const credit = prorating ? -prorate(fromAmount, remaining, total) : 0;
  const charge = prorating ? (restarts ? to.amount_minor * sub.quantity : prorate(to.amount_minor * sub.quantity, remaining, total)) : 0;
  const reason = refusal(sub) ?? (sub.price === to.price ? 'same_price' : undefined);
  const outcome: PlanChangeOutcome = reason ? zeroChange(sub, to.price, behavior, pd) : {
    currency: sub.currency, from_price: sub.price, to_price: to.price, proration_behavior: behavior, proration_date: formatIsoUtc(pd),
    unused_time_credit_minor: credit, new_plan_charge_minor: charge, net_minor: credit + charge,
    invoiced: !prorating ? 'nothing' : behavior === 'always_invoice' || restarts ? 'now' : 'next_invoice',
    billing_cycle: restarts ? 'restarts' : 'unchanged',
    current_period_end: formatIsoUtc(restarts ? pd + intervalMs(to, pd) : sub.period_end_ms),
    payouts: sub.payouts_held ? 'held_until_paid' : 'unchanged',
  };
  const valid_until = reason ? null : formatIsoUtc(Math.min(pd + DAY_MS, sub.period_end_ms) - 1);
  const explanation = reason ? [`refused: ${reason}`] : [
    `${rule.policy} v${rule.version}: change from ${sub.price} to ${to.price} (${to.label}), proration_behavior ${behavior}, prorated from ${formatIsoUtc(pd)}`,
    `unused time credited ${credit}, new plan charged ${charge}, net ${credit + charge} ${sub.currency} minor units, invoiced ${outcome.invoiced}`,
  ];
  return {
    allowed: !reason, ...(reason ? { reason } : {}), rule, outcome, valid_until, explanation,
    outcome_hash: subscriptionOutcomeHash({ host_id: sub.host_id, action: 'change_plan', subscription_id: sub.subscription_id, rule, outcome }),
  };
}

function zeroChange(sub: SubscriptionFacts, to_price: string, behavior: PlanChangeOutcome['proration_behavior'], pd: number): PlanChangeOutcome {
  return {
    currency: sub.currency, from_price: sub.price, to_price, proration_behavior: behavior, proration_date: formatIsoUtc(pd),
    unused_time_credit_minor: 0, new_plan_charge_minor: 0, net_minor: 0, invoiced: 'nothing', billing_cycle: 'unchanged',
    current_period_end: formatIsoUtc(sub.period_end_ms), payouts: sub.payouts_held ? 'held_until_paid' : 'unchanged',
  };
}

/**
 * A cancellation at `at` under the policy: at the end of the paid period (nothing credited), or at
 * once with the unused time credited if the policy prorates. Open invoices stay owed either way.
 */
export function decideSubscriptionCancel(input: { policy: PolicyVersion; sub: SubscriptionFacts; at: string }): SubscriptionDecision<CancelOutcome> {
  const doc = expectKind(input.policy, 'subscription');
  const rule = ruleRefOf(input.policy);
  const { sub } = input;
  const c = doc.rules.cancellation;
  const at_ms = parseIsoUtc(input.at);
  const reason = sub.state === 'canceled' || sub.state === 'incomplete_expired' ? 'subscription_canceled' : undefined;
  const immediately = c.at === 'immediately';
  const pd = immediately ? prorationDateOf(at_ms, sub.period_start_ms) : null;
  const from = doc.rules.plans.find((p) => p.price === sub.price);
  const total = sub.period_end_ms - sub.period_start_ms;
  const credit = !reason && pd !== null && c.prorate && sub.state !== 'trialing' && total > 0
    ? prorate((from?.amount_minor ?? 0) * sub.quantity, Math.max(0, sub.period_end_ms - pd), total) : 0;
  const outcome: CancelOutcome = {
    currency: sub.currency, price: sub.price,
    cancel_at: formatIsoUtc(reason ? at_ms : pd ?? sub.period_end_ms),
    proration_date: pd === null ? null : formatIsoUtc(pd),
    unused_time_credit_minor: credit,
    open_invoices_minor: sub.open_invoices_minor,
    payouts: sub.payouts_held ? 'held_until_paid' : 'unchanged',
  };
  const valid_until = reason ? null : formatIsoUtc((pd !== null ? Math.min(pd + DAY_MS, sub.period_end_ms) : sub.period_end_ms) - 1);
  const explanation = reason ? [`refused: ${reason}`] : [
    `${rule.policy} v${rule.version}: cancels ${immediately ? 'at once' : 'at the end of the paid period'}, on ${outcome.cancel_at}`,
    credit > 0 ? `unused time credited: ${credit} ${sub.currency} minor units` : 'nothing is credited',
    sub.open_invoices_minor > 0 ? `open invoices stay owed: ${sub.open_invoices_minor}` : 'no open invoices',
  ];
  return {
    allowed: !reason, ...(reason ? { reason } : {}), rule, outcome, valid_until, explanation,
    outcome_hash: subscriptionOutcomeHash({ host_id: sub.host_id, action: 'cancel_subscription', subscription_id: sub.subscription_id, rule, outcome }),
  };
}
