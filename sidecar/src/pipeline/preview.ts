import { DomainError, formatIsoUtc, isIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import type { BookingRecord } from '../flows/booking/store.js';
import type { BookingMoney } from '../flows/booking/money-view.js';
import { heldIn } from '../flows/booking/postings.js';
import { chart } from '../flows/vocabulary.js';
import { constraints, decideCancellation, payoutDueAt, type Actor } from '../nora/index.js';
// pinnedPolicy keeps parsed versions by their pin: a preview reads no policy after the first.
import { cancellationPolicies, factsOf, pinnedPolicy } from './booking-facts.js';
import { viewsFromDb, type BookingView, type BookingViews } from './booking-view-source.js';

async function viewOf(views: BookingViews, booking_id: string): Promise<BookingView> {
  const v = await views.booking(booking_id);
  if (!v) throw new DomainError('not_found', `booking ${booking_id} is not known`);
  return v;
}

export function checkAt(at: string | undefined, now_ms: number): string {
  if (at === undefined || at === '') return formatIsoUtc(Math.floor(now_ms / 1000) * 1000);
  if (!isIsoUtc(at)) throw new DomainError('validation_failed', 'at must be an ISO 8601 UTC instant such as 2026-09-01T12:00:00Z', { field: 'at' });
  return at;
}

/**
 * The decision the engine would take for a cancellation at `at`, computed exactly as execution will.
 * `views`: where the booking and its money come from — the database (the default, the loading path)
 * or the in-memory read model (preview-model.ts); both give the same answer.
 */
export async function previewCancellation(db: Db, booking_id: string, by: Actor, at: string, views: BookingViews = viewsFromDb(db)) {
  const { b, money } = await viewOf(views, booking_id);
  const decision = decideCancellation({ policies: await cancellationPolicies(db, b), facts: factsOf(b, money), by, at });
  return { booking_id, action: 'cancel' as const, by, evaluated_at: at, ...decision };
}

export async function bookingConstraints(db: Db, booking_id: string, at: string) {
  const { b, money } = await viewOf(viewsFromDb(db), booking_id);
  const credits = await heldIn(db, chart.guestCredits(b.guest_id));
  return { booking_id, at, constraints: constraints({ policies: await cancellationPolicies(db, b), facts: factsOf(b, money), at, credits_balance: credits }) };
}

/** When the host's share falls due, from the booking and the money the caller already read. */
export async function nextPayoutAt(db: Db, b: BookingRecord, money: BookingMoney): Promise<string | null> {
  return payoutDueAt({ payout: await pinnedPolicy(db, b.policies.payout_timing), facts: factsOf(b, money) });
}
