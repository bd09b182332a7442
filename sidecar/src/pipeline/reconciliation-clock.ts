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

/** How far back a tick looks for days the clock missed (a clock off longer: those days on request). */
export const RECONCILIATION_CATCH_UP_DAYS = 31;

/** The days a tick at `occurred_at` may have to reconcile, newest first: the day before and the window behind it. */
export function reconciliationWindow(occurred_at: string): Array<{ day: string; from: string; to: string }> {
  const latest = reconciliationDayBefore(occurred_at);
  const to_ms = parseIsoUtc(latest.to);
  return Array.from({ length: RECONCILIATION_CATCH_UP_DAYS }, (_, i) => reconciliationDayBefore(formatIsoUtc(to_ms - i * DAY_MS)));
}

/**
 * The days a tick asks to be reconciled, oldest first (pure): every day from the last one already
 * asked for (exclusive) to the day before the tick. The first tick ever (nothing asked for in the
 * window) asks for the day before only, as does a clock off for longer than the window.
 */
export function reconciliationDaysDue(occurred_at: string, asked: (day: string) => boolean): Array<{ day: string; from: string; to: string }> {
  const window = reconciliationWindow(occurred_at);
  const last = window.findIndex((d) => asked(d.day));
  if (last === 0) return [];
  if (last === -1) return [window[0]!];
  return window.slice(0, last).reverse();
}

/**
 * The daily reconciliation (issue #12), driven by `clock.tick`: the first tick of a UTC day asks for
 * the day before to be reconciled — and every day since the last one asked for, when ticks stopped
 * for a while — through the outbox (it reads Stripe, so it runs outside dispatch and its report
 * comes back into the log: stripe_api `reconciliation_report`). One intent per day, its id the
 * day's: duplicate ticks and replay ask once. It decides nothing about money and posts nothing, so
 * it is not counted in the tick's result.
 */
export function reconciliationOnTick(state: HandlerState, event: DispatchEvent): void {
  for (const p of reconciliationDaysDue(event.occurred_at, (day) => state.outboxIntent(reconciliationIntentId(day)) !== undefined)) {
    state.effects.add('intents', { intent_id: reconciliationIntentId(p.day), decision_id: `recon_${p.day}`, booking_id: null, operation: 'reconcile_day', params: p, inbox_id: event.id });
  }
}
