import { DAY_MS, HOUR_MS, minorDigits } from '../kernel/index.js';
import type { Duration } from './schema.js';

/** Real elapsed milliseconds of a policy duration (a day is always 24 h). */
export function durationMs(d: Duration): number {
  return 'days' in d ? d.days * DAY_MS : d.hours * HOUR_MS;
}

export function describeDuration(d: Duration): string {
  return 'days' in d ? plural(d.days, 'day') : `${d.hours} h`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "USD 100.00", "JPY 12000", "KWD 1.250": integer arithmetic on minor units, never floats. */
export function formatMoney(amount_minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount_minor < 0 ? '-' : '';
  const abs = String(Math.abs(amount_minor));
  if (digits === 0) return `${currency} ${sign}${abs}`;
  const padded = abs.padStart(digits + 1, '0');
  return `${currency} ${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** "3 days 4 hours 5 minutes" (zero parts omitted; seconds only when not whole minutes). */
export function describeSpan(ms: number): string {
  let rest = Math.abs(ms);
  const days = Math.floor(rest / DAY_MS); rest -= days * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS); rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / 60_000); rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000); rest -= seconds * 1000;
  const parts: string[] = [];
  if (days) parts.push(plural(days, 'day'));
  if (hours) parts.push(plural(hours, 'hour'));
  if (minutes) parts.push(plural(minutes, 'minute'));
  if (seconds) parts.push(plural(seconds, 'second'));
  if (rest) parts.push(`${rest} ms`);
  return parts.length ? parts.join(' ') : '0 seconds';
}

/** Where `at_ms` lies relative to the check-in moment, in words. */
export function describeRelativeToCheckIn(at_ms: number, check_in_ms: number): string {
  if (at_ms === check_in_ms) return 'exactly at the check-in moment';
  return at_ms < check_in_ms ? `${describeSpan(check_in_ms - at_ms)} before check-in` : `${describeSpan(at_ms - check_in_ms)} after check-in`;
}

export function percentOfBps(bps: number): string {
  const whole = Math.floor(bps / 100);
  const frac = bps % 100;
  return frac === 0 ? `${whole}%` : `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}%`;
}
