import { hashOf } from '../kernel/index.js';
import type { DecisionRecord } from '../flows/evidence/decisions.js';
import { decideDunning, dunningEpisodeSteps, decidePlanChange, decideSubscriptionCancel, type DunningDecision, type PolicyVersion, type SubscriptionFacts } from '../nora/index.js';

type Load = (ref: { policy: string; version: number; hash: string }) => Promise<PolicyVersion>;

/**
 * Re-evaluates a host-subscription decision (#14) from its recorded input: dunning steps, plan
 * changes, cancellations. undefined: not a subscription decision.
 */
export async function recheckSubscriptionDecision(d: DecisionRecord, load: Load): Promise<string | null | undefined> {
  const ref = { policy: d.policy, version: d.policy_version, hash: d.policy_hash };
  if (d.action.startsWith('subscription_dunning_') && typeof (d.input as { step?: unknown }).step === 'string') return recheckEpisodeStep(d, await load(ref));
  if (d.action.startsWith('subscription_dunning_')) {
    // Decisions recorded before dunning was made order-independent: re-evaluated at their event's time.
    const i = d.input as { overdue_since: string | null; at: string };
    const again = decideDunning({ policy: await load(ref), overdue_since: i.overdue_since, at: i.at });
    const o = d.outcome as DunningDecision & { step: string };
    for (const k of ['stage', 'hold_payouts', 'offset_invoice', 'listings_bookable', 'consequences_at', 'unbookable_at'] as const) {
      if (again[k] !== o[k]) return `${k} ${String(again[k])} != recorded ${String(o[k])}`;
    }
    const step = d.action.slice('subscription_dunning_'.length);
    const consistent = step === 'hold' ? again.hold_payouts : step === 'offset' ? again.offset_invoice : step === 'unbookable' ? !again.listings_bookable : step === 'release' ? i.overdue_since === null : false;
    if (!consistent) return `step ${step} does not follow from the policy at ${i.at}`;
    return hashOf(d.outcome) === d.outcome_hash ? null : 'dunning outcome does not match its hash';
  }
  if (d.action === 'change_plan' || d.action === 'cancel_subscription') {
    const i = d.input as { facts: SubscriptionFacts; price?: string; at: string; consented_outcome_hash: string };
    const policy = await load(ref);
    const again = d.action === 'change_plan' ? decidePlanChange({ policy, sub: i.facts, price: i.price!, at: i.at }) : decideSubscriptionCancel({ policy, sub: i.facts, at: i.at });
    if (again.outcome_hash !== d.outcome_hash) return `outcome ${again.outcome_hash} != recorded ${d.outcome_hash}`;
    const allowed = again.allowed && i.consented_outcome_hash === again.outcome_hash;
    return allowed === d.allowed ? null : `allowed ${allowed} != recorded ${d.allowed}`;
  }
  return undefined;
}

/**
 * A dunning step of an overdue episode: its instant re-derived from the episode's start and the
 * policy (hold or offset past the grace, as the policy says; unbookable past its day); a release
 * names the end of its episode, after its start.
 */
function recheckEpisodeStep(d: DecisionRecord, policy: PolicyVersion): string | null {
  const i = d.input as { step: string; overdue_since: string; overdue_until?: string | null };
  const o = d.outcome as { step: string; effective_at: string; episode: string };
  if (o.step !== i.step || o.episode !== i.overdue_since || d.action !== `subscription_dunning_${i.step}`) return 'step, episode or action do not agree';
  if (i.step === 'release') {
    if (!i.overdue_until || i.overdue_until < i.overdue_since || o.effective_at !== i.overdue_until) return 'a release names the end of its episode';
  } else {
    const all = dunningEpisodeSteps({ policy, overdue_since: i.overdue_since, overdue_until: null, at: '9999-12-31T00:00:00Z' });
    const want = all.due.find((x) => x.step === i.step);
    if (!want) return `step ${i.step} is not one the policy takes`;
    if (want.effective_at !== o.effective_at || d.evaluated_at !== o.effective_at) return `step ${i.step} takes effect at ${want.effective_at}, recorded ${o.effective_at}`;
  }
  return hashOf(d.outcome) === d.outcome_hash ? null : 'dunning outcome does not match its hash';
}
