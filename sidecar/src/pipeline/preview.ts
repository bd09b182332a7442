import { DomainError, formatIsoUtc, isIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { getBooking, type BookingRecord, type PolicyRef } from '../flows/booking/store.js';
import { bookingMoney } from '../flows/booking/money-view.js';
import { heldIn } from '../flows/booking/postings.js';
import { chart } from '../flows/booking/chart.js';
import { constraints, decideCancellation, payoutDueAt, type Actor, type CancellationPolicies, type PolicyVersion } from '../nora/index.js';
import { factsOf, pinnedPolicy } from './booking-facts.js';

/**
 * Reads keep the policy versions they load. A published version never changes (append-only,
 * unique on kind + id + version) and a booking's pin carries the hash it was bound to, checked by
 * pinnedPolicy on the first load: the same pin is the same value forever, on any database. So a
 * preview runs four fewer queries and parses and hashes no policy document (the bench's profile:
 * about half the queries of a preview). A failed load is not kept; the values are frozen, so a
 * caller that tried to change one would fail loudly instead of changing the next reader's policy.
 */
const POLICY_CACHE_MAX = 1000;
const policyCache = new Map<string, Promise<PolicyVersion>>();

function readPinnedPolicy(db: Db, ref: PolicyRef | undefined): Promise<PolicyVersion> {
  if (!ref) return pinnedPolicy(db, ref);
  const key = `${ref.kind}\u0000${ref.id}\u0000${ref.version}\u0000${ref.hash}`;
  const kept = policyCache.get(key);
  if (kept) return kept;
  const loading = pinnedPolicy(db, ref).then(deepFreeze);
  loading.catch(() => policyCache.delete(key));
  if (policyCache.size >= POLICY_CACHE_MAX) policyCache.delete(policyCache.keys().next().value!);
  policyCache.set(key, loading);
  return loading;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The policies a cancellation decision reads (the same four as booking-facts' cancellationPolicies), from the read cache. */
async function readCancellationPolicies(db: Db, b: BookingRecord): Promise<CancellationPolicies> {
  const [cancellation, host_cancellation, fees, loyalty] = await Promise.all([
    readPinnedPolicy(db, b.policies.cancellation),
    readPinnedPolicy(db, b.policies.host_cancellation),
    readPinnedPolicy(db, b.policies.fees),
    readPinnedPolicy(db, b.policies.loyalty),
  ]);
  return { cancellation, host_cancellation, fees, loyalty };
}

async function loadBooking(db: Db, booking_id: string): Promise<BookingRecord> {
  const b = await getBooking(db, booking_id);
  if (!b) throw new DomainError('not_found', `booking ${booking_id} is not known`);
  return b;
}

export function checkAt(at: string | undefined, now_ms: number): string {
  if (at === undefined || at === '') return formatIsoUtc(Math.floor(now_ms / 1000) * 1000);
  if (!isIsoUtc(at)) throw new DomainError('validation_failed', 'at must be an ISO 8601 UTC instant such as 2026-09-01T12:00:00Z', { field: 'at' });
  return at;
}

/** The decision the engine would take for a cancellation at `at`, computed exactly as execution will. */
export async function previewCancellation(db: Db, booking_id: string, by: Actor, at: string) {
  // The booking and its money are independent reads: on MySQL they go out on two connections at once.
  const [b, money] = await Promise.all([loadBooking(db, booking_id), bookingMoney(db, booking_id)]);
  const decision = decideCancellation({ policies: await readCancellationPolicies(db, b), facts: factsOf(b, money), by, at });
  return { booking_id, action: 'cancel' as const, by, evaluated_at: at, ...decision };
}

export async function bookingConstraints(db: Db, booking_id: string, at: string) {
  const [b, money] = await Promise.all([loadBooking(db, booking_id), bookingMoney(db, booking_id)]);
  const credits = await heldIn(db, chart.guestCredits(b.guest_id));
  return { booking_id, at, constraints: constraints({ policies: await readCancellationPolicies(db, b), facts: factsOf(b, money), at, credits_balance: credits }) };
}

export async function nextPayoutAt(db: Db, b: BookingRecord): Promise<string | null> {
  const money = await bookingMoney(db, b.booking_id);
  return payoutDueAt({ payout: await readPinnedPolicy(db, b.policies.payout_timing), facts: factsOf(b, money) });
}
