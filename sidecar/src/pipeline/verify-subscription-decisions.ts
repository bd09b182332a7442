import { hashOf } from '../kernel/index.js';
import type { DecisionRecord } from '../flows/evidence/decisions.js';
import { decideDunning, decidePlanChange, decideSubscriptionCancel, type DunningDecision, type PolicyVersion, type SubscriptionFacts } from '../nora/index.js';

type Load = (ref: { policy: string; version: number; hash: string }) => Promise<PolicyVersion>;

/**
 * Re-evaluates a host-subscription decision (#14) from its recorded input: dunning steps, plan
 * changes, cancellations. undefined: not a subscription decision.
 */
export async function recheckSubscriptionDecision(d: DecisionRecord, load: Load): Promise<string | null | undefined> {
  const ref = { policy: d.policy, version: d.policy_version, hash: d.policy_hash };
  if (d.action.startsWith('subscription_dunning_')) {
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
