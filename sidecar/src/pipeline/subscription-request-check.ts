import { DomainError } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import type { BookingEvent } from '../sari/booking-events.js';
import { loadSubscriptionRows, type SubscriptionState as FlowsState } from '../flows/subscriptions/store.js';
import type { SubscriptionAccountRole as FlowsPostingRole } from '../flows/subscriptions/entries.js';
import { planOf, type SubscriptionAccountRole, type SubscriptionState } from '../nora/index.js';
import { pinnedPolicy } from './booking-facts.js';
import { requireHostSubscription, subscriptionFactsOf } from './subscription-facts.js';

/**
 * Refused at the door, nothing written: a request for a host with no subscription (`unknown_host`),
 * a price no plan lists (`unknown_price`), a price in another currency (`currency_mismatch`).
 */
export async function checkSubscriptionRequest(db: Db, event: BookingEvent): Promise<void> {
  if (event.type !== 'subscription.cancel_requested' && event.type !== 'subscription.change_requested') return;
  const rows = await loadSubscriptionRows(db);
  const sub = requireHostSubscription(rows, event.data.host_id);
  if (event.type !== 'subscription.change_requested') return;
  const plan = planOf(await pinnedPolicy(db, sub.policy), event.data.price);
  const facts = subscriptionFactsOf(rows, sub);
  if (plan.currency !== facts.currency) throw new DomainError('currency_mismatch', `price ${plan.price} is in ${plan.currency}, the subscription in ${facts.currency}`, { field: 'data.price' });
}

// NORA and FLOWS may not import each other: their copies of the vocabulary must stay the same union.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const VOCABULARY_AGREES: [Same<SubscriptionAccountRole, FlowsPostingRole>, Same<SubscriptionState, FlowsState>] = [true, true];
