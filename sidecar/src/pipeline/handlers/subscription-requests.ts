import { parseIsoUtc } from '../../kernel/index.js';
import { decisionIdFor } from '../../flows/evidence/decisions.js';
import { intentIdFor } from '../../flows/outbox/intents.js';
import type { HostSubscription } from '../../flows/subscriptions/store.js';
import { decidePlanChange, decideSubscriptionCancel, expectKind, subscriptionConsentHash, type SubscriptionDecision } from '../../nora/index.js';
import type { HandlerResult } from '../context.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';
import { requireHostSubscription, subscriptionFactsOf } from '../subscription-facts.js';

type Consent = { outcome_hash: string; actor: string; consented_at: string };

/**
 * Records the decision with the host's consent; executes only if the policy allows it and the
 * consented outcome is the outcome now (else `outcome_changed`, nothing sent to Stripe).
 */
function decideWithConsent<O>(state: HandlerState, ev: DispatchEvent, sub: HostSubscription, action: 'change_plan' | 'cancel_subscription', d: SubscriptionDecision<O>, consent: Consent, input: Record<string, unknown>) {
  const consent_hash = subscriptionConsentHash({ host_id: sub.host_id, action, outcome_hash: consent.outcome_hash, actor: consent.actor, consented_at: consent.consented_at });
  const decision_id = decisionIdFor(ev.source, ev.event_id, action);
  const matches = consent.outcome_hash === d.outcome_hash;
  const allowed = d.allowed && matches;
  const reason = !d.allowed ? d.reason ?? 'refused' : !matches ? 'outcome_changed' : null;
  state.effects.decision({
    decision_id, inbox_id: ev.id, event_id: ev.event_id, booking_id: null, action, actor: consent.actor,
    policy: d.rule.policy, policy_version: d.rule.version, policy_hash: d.rule.hash,
    input: { ...input, host_id: sub.host_id, subscription_id: sub.subscription_id, at: ev.occurred_at, consented_outcome_hash: consent.outcome_hash },
    allowed, reason, outcome: { ...d, executed: allowed }, outcome_hash: d.outcome_hash, consent_hash, evaluated_at: ev.occurred_at, recorded_at: ev.received_at,
  });
  return { decision_id, allowed, reason };
}

function refused(reason: string, now: string, consented: string, host_id: string): HandlerResult {
  return {
    status: 'processed', code: reason, keys: [`host:${host_id}`],
    reason: reason === 'outcome_changed' ? `refused: the outcome now is ${now}, the host consented to ${consented}` : `refused: ${reason}`,
  };
}

export const onSubscriptionChangeRequested: DecisionHandler = (state, event) => {
  const data = event.payload.data as { host_id: string; price: string; consent: Consent };
  const rows = state.subscriptionRows();
  const sub = requireHostSubscription(rows, data.host_id);
  const facts = subscriptionFactsOf(rows, sub);
  const d = decidePlanChange({ policy: state.policy(sub.policy), sub: facts, price: data.price, at: event.occurred_at });
  const r = decideWithConsent(state, event, sub, 'change_plan', d, data.consent, { facts, price: data.price });
  if (!r.allowed) return refused(r.reason!, d.outcome_hash, data.consent.outcome_hash, sub.host_id);
  state.effects.add('intents', {
    intent_id: intentIdFor('subscription_update', r.decision_id), decision_id: r.decision_id, booking_id: null, operation: 'subscription_update', inbox_id: event.id,
    params: {
      subscription: sub.subscription_id, item: facts.item_id, price: data.price,
      proration_behavior: d.outcome.proration_behavior, proration_date: Math.floor(parseIsoUtc(d.outcome.proration_date) / 1000),
      metadata: { host_id: sub.host_id, decision_id: r.decision_id },
    },
  });
  return { status: 'processed', keys: [`host:${sub.host_id}`] };
};

export const onSubscriptionCancelRequested: DecisionHandler = (state, event) => {
  const data = event.payload.data as { host_id: string; consent: Consent };
  const rows = state.subscriptionRows();
  const sub = requireHostSubscription(rows, data.host_id);
  const policy = state.policy(sub.policy);
  const facts = subscriptionFactsOf(rows, sub);
  const d = decideSubscriptionCancel({ policy, sub: facts, at: event.occurred_at });
  const r = decideWithConsent(state, event, sub, 'cancel_subscription', d, data.consent, { facts });
  if (!r.allowed) return refused(r.reason!, d.outcome_hash, data.consent.outcome_hash, sub.host_id);
  const c = expectKind(policy, 'subscription').rules.cancellation;
  state.effects.add('intents', {
    intent_id: intentIdFor('subscription_cancel', r.decision_id), decision_id: r.decision_id, booking_id: null, operation: 'subscription_cancel', inbox_id: event.id,
    params: { subscription: sub.subscription_id, at_period_end: c.at === 'period_end', prorate: c.prorate, metadata: { host_id: sub.host_id, decision_id: r.decision_id } },
  });
  return { status: 'processed', keys: [`host:${sub.host_id}`] };
};
