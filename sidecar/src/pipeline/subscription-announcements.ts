import type { Db } from '../db/connect.js';

/**
 * The named hook for the outbound events of issue #15 (`subscription.past_due`,
 * `subscription.restored`, and listings becoming unbookable or bookable again). Until #15's
 * outbound delivery is on main, the announcement is only recorded in the decision's evidence
 * (its outcome carries `announce`); wiring it means calling the outbound enqueue here.
 */
export type SubscriptionAnnouncement = {
  type: 'subscription.past_due' | 'subscription.restored';
  host_id: string;
  occurred_at: string;
  data: { subscription_id: string; listings_bookable: boolean; payouts_held: boolean; decision_id: string };
};

export async function announceSubscription(_db: Db, a: SubscriptionAnnouncement): Promise<SubscriptionAnnouncement> {
  return a;
}
