import { hashOf } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { forEachDecision, type DecisionRecord } from '../flows/evidence/decisions.js';
import { policyVersion } from '../flows/evidence/policy-versions.js';
import { recheckSubscriptionDecision } from './verify-subscription-decisions.js';
import { decideCancellation, decideModification, disputeLiability, disputeOutcomeOf, disputeResponse, loyaltyEarn, mayReopen, nextRedrive, paymentSplit, payoutDueAt, policyVersionOf, type BookingFacts, type DisputeEvidenceInput, type ModificationChanges, type PolicyVersion, type RedriveState } from '../nora/index.js';

export type DecisionProblem = { decision_id: string; action: string; problem: string };

type RuleRef = { policy: string; version: number; hash: string };

async function load(db: Db, ref: RuleRef): Promise<PolicyVersion> {
  const [kind, id] = ref.policy.split('/') as [string, string];
  const stored = await policyVersion(db, kind, id, ref.version);
  if (!stored) throw new Error(`policy ${ref.policy} v${ref.version} is not in the log`);
  const v = policyVersionOf(stored.document);
  if (v.hash !== ref.hash) throw new Error(`policy ${ref.policy} v${ref.version} hash ${v.hash} differs from the recorded ${ref.hash}`);
  return v;
}

/**
 * Re-evaluates every recorded decision from its recorded inputs and the policy versions in the log,
 * and checks the same outcome follows. Any difference names the decision.
 */
export async function verifyDecisions(db: Db, onProgress?: (n: number) => void): Promise<{ checked: number; problems: DecisionProblem[] }> {
  const problems: DecisionProblem[] = [];
  const checked = await forEachDecision(db, async (d) => {
    try {
      const problem = await recheck(db, d);
      if (problem) problems.push({ decision_id: d.decision_id, action: d.action, problem });
    } catch (e) {
      problems.push({ decision_id: d.decision_id, action: d.action, problem: (e as Error).message });
    }
    onProgress?.(1);
  });
  return { checked, problems };
}

async function recheck(db: Db, d: DecisionRecord): Promise<string | null> {
  const input = d.input as { facts: BookingFacts; policies: Record<string, RuleRef>; by?: 'guest' | 'host'; at?: string; nightly_kept?: number; completed_at?: string; amount_received?: number };
  if (hashOf(d.input) !== d.input_hash) return 'recorded input does not match its hash';
  if (d.action.startsWith('cancel_by_')) {
    const p = input.policies;
    const decision = decideCancellation({
      policies: { cancellation: await load(db, p.cancellation!), host_cancellation: await load(db, p.host_cancellation!), fees: await load(db, p.fees!), loyalty: await load(db, p.loyalty!) },
      facts: input.facts, by: input.by!, at: input.at!,
    });
    if (decision.outcome_hash !== d.outcome_hash) return `outcome ${decision.outcome_hash} != recorded ${d.outcome_hash}`;
    const consented = (d.input as { consented_outcome_hash?: string }).consented_outcome_hash;
    const allowed = decision.allowed && consented === decision.outcome_hash;
    if (allowed !== d.allowed) return `allowed ${allowed} != recorded ${d.allowed}`;
    return null;
  }
  if (d.action === 'payment_split') {
    const loyalty = input.policies.loyalty ? await load(db, input.policies.loyalty) : undefined;
    const split = paymentSplit({ fees: await load(db, input.policies.fees!), facts: input.facts, ...(loyalty ? { loyalty } : {}) });
    return hashOf(split) === d.outcome_hash ? null : 'payment split differs';
  }
  if (d.action === 'loyalty_earn') {
    const earned = loyaltyEarn({ loyalty: await load(db, input.policies.loyalty!), facts: input.facts, nightly_kept: input.nightly_kept!, completed_at: input.completed_at! });
    return hashOf(earned) === d.outcome_hash ? null : 'loyalty credits differ';
  }
  if (d.action === 'host_payout') {
    const due_at = payoutDueAt({ payout: await load(db, input.policies.payout_timing!), facts: input.facts });
    const outcome = d.outcome as { due_at: string };
    if (due_at !== outcome.due_at) return `payout due ${due_at} != recorded ${outcome.due_at}`;
    if (due_at > input.at!) return `payout made at ${input.at} before it was due at ${due_at}`;
    return hashOf(d.outcome) === d.outcome_hash ? null : 'payout outcome does not match its hash';
  }
  if (d.action === 'dispute_lost' || d.action === 'dispute_won') {
    const i = d.input as { status: 'lost' | 'won'; disputed_minor: number; dispute_fee_minor: number; host_paid_out_minor: number; host_payout_pending_minor?: number; host_deducted_minor?: number; currency: string };
    const l = disputeLiability({ dispute: await load(db, input.policies.dispute!), status: i.status, currency: i.currency, disputed_minor: i.disputed_minor, dispute_fee_minor: i.dispute_fee_minor, host_paid_out_minor: i.host_paid_out_minor, host_payout_pending_minor: i.host_payout_pending_minor ?? 0, host_deducted_minor: i.host_deducted_minor ?? 0 });
    return hashOf(disputeOutcomeOf(l)) === d.outcome_hash ? null : 'dispute liability differs';
  }
  if (d.action === 'late_payment_refund') {
    const i = d.input as { booking_state: string; amount_received: number };
    const o = d.outcome as { refund_to_guest: number };
    return i.booking_state === 'cancelled' && o.refund_to_guest === i.amount_received ? null : 'a late payment must be refunded in full';
  }
  const subscription = await recheckSubscriptionDecision(d, (ref) => load(db, ref));
  if (subscription !== undefined) return subscription;
  const rule: RuleRef = { policy: d.policy, version: d.policy_version, hash: d.policy_hash };
  if (d.action === 'modify') {
    const i = d.input as { facts: BookingFacts; changes: ModificationChanges; at: string; policies: Record<string, RuleRef>; consented_outcome_hash: string | null; balance_due_outstanding: boolean };
    const loyalty = i.policies.loyalty ? await load(db, i.policies.loyalty) : undefined;
    const m = decideModification({ modification: await load(db, rule), fees: await load(db, i.policies.fees!), ...(loyalty ? { loyalty } : {}), facts: i.facts, changes: i.changes, at: i.at });
    if (m.outcome_hash !== d.outcome_hash) return `modification outcome ${m.outcome_hash} != recorded ${d.outcome_hash}`;
    const allowed = m.allowed && !i.balance_due_outstanding && i.consented_outcome_hash === m.outcome_hash;
    return allowed === d.allowed ? null : `allowed ${allowed} != recorded ${d.allowed}`;
  }
  if (d.action === 'dispute_contest') {
    const r = disputeResponse(await load(db, rule), d.input as DisputeEvidenceInput);
    const outcome = { dispute_id: (d.input as DisputeEvidenceInput).dispute.id, contest: r.contest, submit_by: r.submit_by, evidence: r.evidence, submission: r.submission, evidence_hash: r.evidence_hash };
    return hashOf(outcome) === d.outcome_hash && r.contest === d.allowed ? null : 'dispute evidence differs';
  }
  if (d.action === 'outbound_redrive') {
    const i = d.input as { state: RedriveState; at: string };
    const step = nextRedrive(await load(db, rule), i.state, i.at);
    if (step.action !== 'grant') return `the schedule says ${step.action}, a round was granted`;
    return hashOf({ intent_id: (d.outcome as { intent_id: string }).intent_id, round: step.round, lookup_first: step.lookup_first, due_at: step.due_at }) === d.outcome_hash ? null : 'the granted round differs';
  }
  if (d.action === 'outbound_reopen') {
    const i = d.input as { state: RedriveState & { reopens: number } };
    const allowed = i.state.terminal_recorded && mayReopen(await load(db, rule), i.state.reopens);
    return allowed === d.allowed ? null : `re-open allowed ${allowed} != recorded ${d.allowed}`;
  }
  if (d.action === 'outbound_terminal') {
    const i = d.input as { attempts: Array<{ retryable: boolean; round_ended: boolean }> };
    const last = i.attempts.filter((a) => a.round_ended).at(-1);
    const expected = last && !last.retryable ? 'terminal_error' : 'schedule_exhausted';
    return expected === d.reason ? null : `terminal reason ${expected} != recorded ${d.reason}`;
  }
  return `no re-evaluation known for action ${d.action}`;
}
