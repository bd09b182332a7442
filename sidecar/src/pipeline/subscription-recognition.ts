import { parseIsoUtc } from '../kernel/index.js';
import { KIND } from '../flows/vocabulary.js';
import { openSchedules } from '../flows/subscriptions/store.js';
import { subscriptionEntry, subscriptionKey } from '../flows/subscriptions/entries.js';
import { recognisedAt, revenueSchedule } from '../nora/index.js';
import { ref } from './context.js';
import type { DispatchEvent, HandlerState } from './handler-shape.js';

/**
 * Deferred subscription revenue recognised day by day: on each tick, every day of a schedule that
 * has ended and is not yet recognised moves from deferred to subscription revenue in one entry per
 * schedule. The schedule (NORA) sums exactly to the deferred amount, so the last day empties it.
 */
export function recogniseDeferredRevenue(state: HandlerState, event: DispatchEvent): number {
  const at_ms = parseIsoUtc(event.occurred_at);
  let posted = 0;
  for (const s of openSchedules(state.subscriptionRows(), event.occurred_at)) {
    const days = revenueSchedule({ amount_minor: s.amount_minor, period_start_ms: parseIsoUtc(s.period_start), period_end_ms: parseIsoUtc(s.period_end) });
    if (s.through_day >= days.length - 1) continue;
    const now = recognisedAt(days, at_ms);
    if (now.through_index <= s.through_day) continue;
    const before = days.slice(0, s.through_day + 1).reduce((a, d) => a + d.amount_minor, 0);
    const amount = now.cumulative_minor - before;
    const subscription_id = s.schedule_id.split('|')[0]!;
    if (amount > 0) {
      state.effects.post(subscriptionEntry({
        key: subscriptionKey(subscription_id, 'recognition', `${s.schedule_id.slice(subscription_id.length + 1)}:d${now.through_index}`),
        kind: KIND.subscription_revenue_recognised, host_id: s.host_id, subscription_id, currency: s.currency,
        description: `Subscription revenue of ${s.invoice_id} recognised for days ${s.through_day + 2}–${now.through_index + 1} of ${days.length}`,
        lines: [
          { role: 'deferred_revenue', direction: 'D', amount_minor: amount, note: 'recognised' },
          { role: 'subscription_revenue', direction: 'C', amount_minor: amount, note: `days ${s.through_day + 1}..${now.through_index} (0-based)` },
        ],
        ev: ref(event), meta: { invoice_id: s.invoice_id, schedule_id: s.schedule_id, from_day: s.through_day + 1, through_day: now.through_index },
      }));
    }
    state.effects.add('revenueRecognitions', { schedule_id: s.schedule_id, through_day: now.through_index, inbox_id: event.id });
    posted++;
  }
  return posted;
}
