import { splitEvenly } from '../kernel/index.js';

const DAY_MS = 86_400_000;

/** One day of a deferred line: recognised once a tick reaches `ends_at`. */
export type ScheduleDay = { index: number; ends_at_ms: number; amount_minor: number };

/**
 * The day-by-day recognition of `amount_minor` over [start, end): day i ends at start + (i+1) × 24 h
 * (the last day at `end`, so it may be shorter). The amount is split evenly and the remainder goes
 * one unit at a time to the first days: the days sum to the amount exactly, the same on every run.
 */
export function revenueSchedule(x: { amount_minor: number; period_start_ms: number; period_end_ms: number }): ScheduleDay[] {
  if (!Number.isSafeInteger(x.amount_minor) || x.amount_minor < 0) throw new RangeError('a deferred amount is a non-negative integer');
  if (!(x.period_end_ms > x.period_start_ms)) throw new RangeError('a period ends after it starts');
  const days = Math.ceil((x.period_end_ms - x.period_start_ms) / DAY_MS);
  return splitEvenly(x.amount_minor, days).map((amount_minor, index) => ({
    index,
    ends_at_ms: Math.min(x.period_start_ms + (index + 1) * DAY_MS, x.period_end_ms),
    amount_minor,
  }));
}

/** How much of the schedule is recognised at `at`: every day that has ended, and the last such day. */
export function recognisedAt(schedule: ScheduleDay[], at_ms: number): { through_index: number; cumulative_minor: number } {
  let through_index = -1;
  let cumulative_minor = 0;
  for (const d of schedule) {
    if (d.ends_at_ms > at_ms) break;
    through_index = d.index;
    cumulative_minor += d.amount_minor;
  }
  return { through_index, cumulative_minor };
}

/** Whether a line's period is long enough to be deferred (longer than the policy's threshold). */
export function isDeferredPeriod(period_start_ms: number, period_end_ms: number, threshold_days: number): boolean {
  return period_end_ms - period_start_ms > threshold_days * DAY_MS;
}
