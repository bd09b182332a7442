import { formatIsoUtc, parseIsoUtc } from '../kernel/index.js';
import { expectKind, ruleRefOf, type PolicyVersion, type RuleRef } from './policy-version.js';

const DAY_MS = 86_400_000;

/** What the dunning policy says about a host at `at`, given since when their subscription is overdue. */
export type DunningDecision = {
  rule: RuleRef;
  stage: 'current' | 'grace' | 'consequences';
  hold_payouts: boolean;
  /** The overdue invoice is settled out of band and deducted from the next payout. */
  offset_invoice: boolean;
  listings_bookable: boolean;
  /** When the consequences start (or started); null when nothing is overdue. */
  consequences_at: string | null;
  unbookable_at: string | null;
  explanation: string;
};

/**
 * Dunning by policy. `overdue_since` is when the oldest unpaid invoice failed (null: nothing
 * overdue). The grace is whole days of 24 h; at exactly the edge the grace still applies (the
 * earlier, more generous state owns the edge, as everywhere else).
 */
export function decideDunning(input: { policy: PolicyVersion; overdue_since: string | null; at: string }): DunningDecision {
  const doc = expectKind(input.policy, 'subscription');
  const rule = ruleRefOf(input.policy);
  if (input.overdue_since === null) {
    return { rule, stage: 'current', hold_payouts: false, offset_invoice: false, listings_bookable: true, consequences_at: null, unbookable_at: null, explanation: 'nothing overdue' };
  }
  const since = parseIsoUtc(input.overdue_since);
  const at = parseIsoUtc(input.at);
  const d = doc.rules.dunning;
  const consequences_ms = since + d.grace_days * DAY_MS;
  const unbookable_ms = d.unbookable_after_days === null ? null : since + d.unbookable_after_days * DAY_MS;
  const after = at > consequences_ms;
  const offset = after && d.on_grace_expired === 'offset_from_next_payout';
  const hold = after && d.on_grace_expired === 'hold_payouts';
  const unbookable = unbookable_ms !== null && at > unbookable_ms;
  const what = d.on_grace_expired === 'hold_payouts' ? 'payouts are held' : 'the invoice is offset from the next payout';
  return {
    rule,
    stage: after ? 'consequences' : 'grace',
    hold_payouts: hold,
    offset_invoice: offset,
    listings_bookable: !unbookable,
    consequences_at: formatIsoUtc(consequences_ms),
    unbookable_at: unbookable_ms === null ? null : formatIsoUtc(unbookable_ms),
    explanation: after
      ? `overdue since ${input.overdue_since}, more than ${d.grace_days} day(s) (${rule.policy} v${rule.version}): ${what}${unbookable ? '; listings are unbookable' : ''}`
      : `overdue since ${input.overdue_since}: within the ${d.grace_days}-day grace of ${rule.policy} v${rule.version}`,
  };
}

export type DunningStepName = 'hold' | 'offset' | 'unbookable';

/**
 * The steps an overdue episode calls for, each at the instant it takes effect — a function of the
 * episode (since, and until when it is known to have ended) and of the time the log has reached,
 * never of the order the facts arrived in. A step is due once its instant lies inside the episode
 * and before `at`: past the grace, `hold` or `offset` (the policy says which); past
 * `unbookable_after_days`, `unbookable`. An episode that ended (paid, voided, written off) before
 * an instant never takes that step; one that ended after it took it, even if the log learned both
 * at once (then the step and its release are recorded together).
 */
export function dunningEpisodeSteps(input: { policy: PolicyVersion; overdue_since: string; overdue_until: string | null; at: string }): {
  rule: RuleRef; consequences_at: string; unbookable_at: string | null; due: Array<{ step: DunningStepName; effective_at: string }>;
} {
  const doc = expectKind(input.policy, 'subscription');
  const d = doc.rules.dunning;
  const since = parseIsoUtc(input.overdue_since);
  const horizon = Math.min(parseIsoUtc(input.at), input.overdue_until === null ? Infinity : parseIsoUtc(input.overdue_until));
  const consequences_ms = since + d.grace_days * DAY_MS;
  const unbookable_ms = d.unbookable_after_days === null ? null : since + d.unbookable_after_days * DAY_MS;
  const due: Array<{ step: DunningStepName; effective_at: string }> = [];
  // As in decideDunning, the grace owns its edge: a step is due strictly after its instant.
  if (horizon > consequences_ms) due.push({ step: d.on_grace_expired === 'hold_payouts' ? 'hold' : 'offset', effective_at: formatIsoUtc(consequences_ms) });
  if (unbookable_ms !== null && horizon > unbookable_ms) due.push({ step: 'unbookable', effective_at: formatIsoUtc(unbookable_ms) });
  return { rule: ruleRefOf(input.policy), consequences_at: formatIsoUtc(consequences_ms), unbookable_at: unbookable_ms === null ? null : formatIsoUtc(unbookable_ms), due };
}
