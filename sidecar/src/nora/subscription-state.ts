import { DomainError } from '../kernel/index.js';

/**
 * A host subscription's life as Stripe Billing reports it. `none` is before the first sighting.
 * trialing → active → past_due → unpaid | canceled, and paused (trial ended without a payment
 * method, or collection paused); incomplete for a first payment that has not gone through.
 */
export const SUBSCRIPTION_STATES = ['none', 'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'unpaid', 'canceled', 'paused'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

const NEXT: Record<SubscriptionState, readonly SubscriptionState[]> = {
  // The first report may come from any event (webhooks arrive out of order): Stripe's state is adopted.
  none: ['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'unpaid', 'canceled', 'paused'],
  incomplete: ['active', 'trialing', 'past_due', 'incomplete_expired', 'canceled'],
  incomplete_expired: [],
  trialing: ['active', 'past_due', 'unpaid', 'canceled', 'paused'],
  active: ['trialing', 'past_due', 'unpaid', 'canceled', 'paused'],
  past_due: ['active', 'unpaid', 'canceled', 'paused'],
  unpaid: ['active', 'past_due', 'canceled', 'paused'],
  paused: ['active', 'trialing', 'past_due', 'canceled'],
  canceled: [],
};

export function isSubscriptionState(s: string): s is SubscriptionState {
  return (SUBSCRIPTION_STATES as readonly string[]).includes(s) && s !== 'none';
}

/** Whether `from → to` is a move Stripe Billing can make. Staying put is always allowed. */
export function canMoveSubscription(from: SubscriptionState, to: SubscriptionState): boolean {
  return from === to || NEXT[from].includes(to);
}

/** The next state, or `illegal_transition` (canceled and incomplete_expired are final). */
export function nextSubscriptionState(from: SubscriptionState, to: SubscriptionState): SubscriptionState {
  if (!canMoveSubscription(from, to)) throw new DomainError('illegal_transition', `a subscription cannot move from ${from} to ${to}`, { from, to });
  return to;
}

/** The state an event of this type implies, given the status the object itself carries. */
export function reportedSubscriptionState(event_type: string, object_status: string): SubscriptionState {
  if (event_type === 'customer.subscription.deleted') return 'canceled';
  if (!isSubscriptionState(object_status)) throw new DomainError('validation_failed', `unknown subscription status ${object_status}`, { status: object_status });
  return object_status;
}
