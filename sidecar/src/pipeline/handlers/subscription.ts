import { DomainError } from '../../kernel/index.js';
import { currentSnapshot } from '../../flows/subscriptions/store.js';
import { nextSubscriptionState, reportedSubscriptionState } from '../../nora/index.js';
import type { DecisionHandler } from '../handler-shape.js';
import { subscriptionOf } from '../stripe-billing.js';
import { resolveSubscriptionLink } from '../subscription-facts.js';
import { reviewDunning } from '../subscription-dunning.js';

type Obj = Record<string, unknown>;

/**
 * customer.subscription.created|updated|deleted|paused|resumed|trial_will_end: the subscription is
 * linked to its host (or dead-lettered `unknown_host`), its reported state checked against the
 * state machine (an illegal move is dead-lettered `illegal_transition`, recorded), and dunning
 * reviewed (a subscription active again releases what dunning held).
 */
export const onSubscriptionReport: DecisionHandler = (state, event) => {
  const r = subscriptionOf((event.payload.data as { object: Obj }).object);
  const { link: sub, isNew } = resolveSubscriptionLink(state, r, event.id);
  if (r.currency !== sub.currency) throw new DomainError('currency_mismatch', `subscription ${r.subscription_id} is now in ${r.currency}, it was linked in ${sub.currency}`);
  const keys = [`sub:${sub.subscription_id}`, `cus:${sub.customer}`, `host:${sub.host_id}`];
  const current = currentSnapshot(state.subscriptionRows(), sub.subscription_id);
  // Webhooks arrive out of order: a report older than the one recorded changes nothing.
  if (current && current.reported_at > event.occurred_at) return { status: 'ignored', code: 'stale_report', reason: `a report of ${current.reported_at} is newer`, keys };
  const to = reportedSubscriptionState(event.type, r.status);
  nextSubscriptionState(current?.state ?? 'none', to);
  if (isNew) state.effects.add('subscriptionLinks', sub);
  state.effects.add('subscriptionSnapshots', {
    subscription_id: sub.subscription_id, state: to, price: r.price, item_id: r.item_id, quantity: r.quantity,
    period_start: r.period_start, period_end: r.period_end, reported_at: event.occurred_at, inbox_id: event.id,
  });
  const steps = reviewDunning(state, sub, event);
  return {
    status: 'processed', code: event.type === 'customer.subscription.trial_will_end' ? 'trial_will_end' : undefined,
    reason: `${current?.state ?? 'none'} → ${to}${steps.length ? `; dunning: ${steps.join(', ')}` : ''}`, keys,
  };
};
