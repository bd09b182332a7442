import type { Db } from '../db/connect.js';
import { loadSubscriptionRows } from '../flows/subscriptions/store.js';
import { decidePlanChange, decideSubscriptionCancel } from '../nora/index.js';
import { pinnedPolicy } from './booking-facts.js';
import { requireHostSubscription, subscriptionFactsOf } from './subscription-facts.js';

/** GET /preview/outcome?action=change_plan: the decision exactly as subscription.change_requested will take it. */
export async function previewPlanChange(db: Db, host_id: string, price: string, at: string) {
  const rows = await loadSubscriptionRows(db);
  const sub = requireHostSubscription(rows, host_id);
  const d = decidePlanChange({ policy: await pinnedPolicy(db, sub.policy), sub: subscriptionFactsOf(rows, sub), price, at });
  return { host_id, subscription_id: sub.subscription_id, action: 'change_plan' as const, evaluated_at: at, ...d };
}

/** GET /preview/outcome?action=cancel_subscription. */
export async function previewSubscriptionCancel(db: Db, host_id: string, at: string) {
  const rows = await loadSubscriptionRows(db);
  const sub = requireHostSubscription(rows, host_id);
  const d = decideSubscriptionCancel({ policy: await pinnedPolicy(db, sub.policy), sub: subscriptionFactsOf(rows, sub), at });
  return { host_id, subscription_id: sub.subscription_id, action: 'cancel_subscription' as const, evaluated_at: at, ...d };
}
