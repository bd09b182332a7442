import { z } from 'zod';
import {
  DomainError, daysBetween, addDays, isCurrencyCode, isIsoUtc, isLocalDate, isLocalTime, isTimeZone, localToUtc, parseIsoUtc,
} from '../kernel/index.js';

/** What NORA knows about a booking: derived by FLOWS from the log, never read from a clock or a database. */
export type BookingFacts = {
  booking_id: string;
  currency: string;
  nightly_total: number;
  cleaning_fee: number;
  guest_service_fee: number;
  taxes: number;
  check_in: string;
  check_out: string;
  check_in_time: string;
  time_zone: string;
  confirmed_at: string;
  status: 'active' | 'cancelled' | 'completed';
  paid_minor: number;
  host_paid_out_minor: number;
  credits_redeemed?: number;
};

const Minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** For callers that hold facts from outside (HTTP, simulation files); the engine itself only runs `checkFacts`. */
export const BookingFactsSchema = z.strictObject({
  booking_id: z.string().min(1),
  currency: z.string().refine(isCurrencyCode, 'ISO 4217 code'),
  nightly_total: Minor,
  cleaning_fee: Minor,
  guest_service_fee: Minor,
  taxes: Minor,
  check_in: z.string().refine(isLocalDate, 'YYYY-MM-DD'),
  check_out: z.string().refine(isLocalDate, 'YYYY-MM-DD'),
  check_in_time: z.string().refine(isLocalTime, 'HH:MM'),
  time_zone: z.string().refine(isTimeZone, 'IANA time zone'),
  confirmed_at: z.string().refine(isIsoUtc, 'ISO 8601 UTC'),
  status: z.enum(['active', 'cancelled', 'completed']),
  paid_minor: Minor,
  host_paid_out_minor: Minor,
  credits_redeemed: Minor.optional(),
});

function bad(message: string, detail: Record<string, unknown>): never {
  throw new DomainError('validation_failed', message, detail);
}

/** Cheap invariant checks the engine runs on every call (the zod schema is for untrusted input). */
export function checkFacts(f: BookingFacts): void {
  for (const k of ['nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes', 'paid_minor', 'host_paid_out_minor'] as const) {
    const v = f[k];
    if (!Number.isSafeInteger(v) || v < 0) bad(`${k} must be an integer >= 0`, { field: k });
  }
  if (f.credits_redeemed !== undefined && (!Number.isSafeInteger(f.credits_redeemed) || f.credits_redeemed < 0)) {
    bad('credits_redeemed must be an integer >= 0', { field: 'credits_redeemed' });
  }
  if (!isCurrencyCode(f.currency)) bad('currency must be an ISO 4217 code', { field: 'currency' });
  if (!isLocalDate(f.check_in) || !isLocalDate(f.check_out)) bad('check_in/check_out must be YYYY-MM-DD', { field: 'check_in' });
  if (!isLocalTime(f.check_in_time)) bad('check_in_time must be HH:MM', { field: 'check_in_time' });
  if (daysBetween(f.check_in, f.check_out) < 1) bad('check_out must be after check_in', { field: 'check_out' });
  if (!isIsoUtc(f.confirmed_at)) bad('confirmed_at must be ISO 8601 UTC', { field: 'confirmed_at' });
}

/** The check-in moment: check-in date at the check-in time in the listing's zone, as ms UTC. */
export function checkInMoment(facts: BookingFacts): number {
  return localToUtc(facts.check_in, facts.check_in_time, facts.time_zone);
}

/**
 * The instants that matter for a stay. Night i starts at that date's local check-in time, so nights
 * across a DST change are 23 or 25 h apart; the check-out moment is the check-out date at the same
 * local time (the end of the last night).
 */
export type Timeline = {
  confirmed_ms: number;
  check_in_ms: number;
  check_out_ms: number;
  night_starts_ms: number[];
};

export function timelineOf(facts: BookingFacts): Timeline {
  const nights = daysBetween(facts.check_in, facts.check_out);
  const night_starts_ms = Array.from({ length: nights }, (_, i) => localToUtc(addDays(facts.check_in, i), facts.check_in_time, facts.time_zone));
  return {
    confirmed_ms: parseIsoUtc(facts.confirmed_at),
    check_in_ms: night_starts_ms[0]!,
    check_out_ms: localToUtc(facts.check_out, facts.check_in_time, facts.time_zone),
    night_starts_ms,
  };
}

/** Nights whose start has passed at `at_ms` (strictly: at the very start instant the night is not yet stayed). */
export function nightsStayed(t: Timeline, at_ms: number): number {
  let n = 0;
  for (const s of t.night_starts_ms) if (s < at_ms) n++;
  return n;
}
