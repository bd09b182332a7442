/**
 * The named hook for the outbound events of issue #15 (`subscription.past_due`,
 * `subscription.restored`, listings unbookable or bookable again). Until #15's outbound delivery is
 * on main, the announcement is only recorded in the dunning decision's evidence (its outcome says
 * what was decided); wiring it means recording #15's outbound effect here.
 */
export type SubscriptionAnnouncement = {
  type: 'subscription.past_due' | 'subscription.restored';
  host_id: string;
  occurred_at: string;
  data: { subscription_id: string; listings_bookable: boolean; payouts_held: boolean; decision_id: string };
};

export function announceSubscription(a: SubscriptionAnnouncement): SubscriptionAnnouncement {
  return a;
}
