import { formatIsoUtc, parseIsoUtc } from '../kernel/index.js';
import { intentIdFor } from '../flows/outbox/intents.js';
import type { DispatchEvent, HandlerState } from './handler-shape.js';

const DAY_MS = 86_400_000;

/** The UTC day before an instant: the day a tick at that instant reconciles (issue #12). */
export function reconciliationDayBefore(occurred_at: string): { day: string; from: string; to: string } {
  const to_ms = Math.floor(parseIsoUtc(occurred_at) / DAY_MS) * DAY_MS;
  const from = formatIsoUtc(to_ms - DAY_MS);
  return { day: from.slice(0, 10), from, to: formatIsoUtc(to_ms) };
}

/** One run per day, whatever the number of ticks: the intent's id is the day's. */
export function reconciliationIntentId(day: string): string {
  return intentIdFor('reconcile_day', `recon_${day}`);
}

/**
 * The daily reconciliation (issue #12), driven by `clock.tick`: the first tick of a UTC day asks for
 * the day before to be reconciled, through the outbox (it reads Stripe, so it runs outside dispatch
 * and its report comes back into the log: stripe_api `reconciliation_report`). It decides nothing
 * about money and posts nothing, so it is not counted in the tick's result.
 */
export function reconciliationOnTick(state: HandlerState, event: DispatchEvent): void {
  const p = reconciliationDayBefore(event.occurred_at);
  const intent_id = reconciliationIntentId(p.day);
  if (state.outboxIntent(intent_id)) return;
  state.effects.add('intents', { intent_id, decision_id: `recon_${p.day}`, booking_id: null, operation: 'reconcile_day', params: p, inbox_id: event.id });
}
