import { DAY_MS, HOUR_MS } from '../../kernel/index.js';

/**
 * The retry schedule of a delivery, like Stripe's: exponential backoff from 10 s, doubling, capped
 * at 12 h between attempts, for 3 days from the first attempt. Then the delivery is dead: visible
 * at GET /outbound/deliveries?status=dead and in the metrics, until an operator re-sends it.
 * No jitter: a delivery's schedule is a plain function of its attempts, so it can be proven.
 */
export const DELIVERY_WINDOW_MS = 3 * DAY_MS;
export const FIRST_RETRY_MS = 10_000;
export const MAX_RETRY_MS = 12 * HOUR_MS;
export const DELIVERY_TIMEOUT_MS = 10_000;

/** The wait after failed attempt number `attempt` (1-based). */
export function retryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
}

/** After a failed attempt: when to try next, or null when the next try would fall past the window (dead). */
export function nextAttemptAt(first_attempt_ms: number, attempt: number, now_ms: number): number | null {
  const next = now_ms + retryDelay(attempt);
  return next > first_attempt_ms + DELIVERY_WINDOW_MS ? null : next;
}

/** The instants of every attempt of a delivery that never succeeds, first at `start_ms` (for docs and tests). */
export function fullSchedule(start_ms: number): number[] {
  const at = [start_ms];
  for (let n = 1; ; n++) {
    const next = nextAttemptAt(start_ms, n, at[at.length - 1]!);
    if (next === null) return at;
    at.push(next);
  }
}
