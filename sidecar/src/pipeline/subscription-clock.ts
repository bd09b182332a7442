import type { DispatchEvent, HandlerState } from './handler-shape.js';
import { reviewDunning } from './subscription-dunning.js';
import { recogniseDeferredRevenue } from './subscription-recognition.js';

/** What a tick makes due for host subscriptions: dunning steps by time, and deferred revenue by day. */
export function subscriptionsOnTick(state: HandlerState, event: DispatchEvent): { steps: number; recognised: number; keys: string[] } {
  let steps = 0;
  const keys: string[] = [];
  for (const sub of state.subscriptionRows().links) {
    const taken = reviewDunning(state, sub, event);
    steps += taken.length;
    if (taken.length) keys.push(`host:${sub.host_id}`);
  }
  const recognised = recogniseDeferredRevenue(state, event);
  return { steps, recognised, keys };
}
