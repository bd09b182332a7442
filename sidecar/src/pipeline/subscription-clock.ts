import { allSubscriptions } from '../flows/subscriptions/store.js';
import type { HandlerContext } from './context.js';
import { reviewDunning } from './subscription-dunning.js';
import { recogniseDeferredRevenue } from './subscription-recognition.js';

/** What a tick makes due for host subscriptions: dunning steps by time, and deferred revenue by day. */
export async function subscriptionsOnTick({ db, event }: HandlerContext): Promise<{ steps: number; recognised: number; keys: string[] }> {
  let steps = 0;
  const keys: string[] = [];
  for (const sub of await allSubscriptions(db)) {
    const taken = await reviewDunning(db, sub, event);
    steps += taken.length;
    if (taken.length) keys.push(`host:${sub.host_id}`);
  }
  const recognised = await recogniseDeferredRevenue(db, event);
  return { steps, recognised, keys };
}
