import { DomainError, formatIsoUtc, isIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import type { BookingRecord } from '../flows/booking/store.js';
import type { BookingMoney } from '../flows/booking/money-view.js';
import { heldIn } from '../flows/booking/postings.js';
import { chart } from '../flows/vocabulary.js';
import { constraints, decideCancellation, payoutDueAt, type Actor, type BookingFacts, type CancellationPolicies } from '../nora/index.js';
// pinnedPolicy keeps parsed versions by their pin: a preview reads no policy after the first.
import { cancellationPolicies, factsOf, pinnedPolicy } from './booking-facts.js';
import { viewsFromDb, type BookingView, type BookingViews } from './booking-view-source.js';

async function viewOf(views: BookingViews, booking_id: string): Promise<BookingView> {
  const v = await views.booking(booking_id);
  if (!v) throw new DomainError('not_found', `booking ${booking_id} is not known`);
  return v;
}

/**
 * NORA's inputs for a booking view, kept per view object. The read model hands out the same frozen
 * view until the booking changes (then a new object), and a pinned version never changes: so the
 * facts and the four pinned policies of a kept view are the same on every request, and are built
 * once (the loading path's views are new objects each time and miss). Frozen like the view.
 */
const inputsOfView = new WeakMap<BookingView, { policies: CancellationPolicies; facts: BookingFacts }>();

async function inputsOf(db: Db, view: BookingView): Promise<{ policies: CancellationPolicies; facts: BookingFacts }> {
  const kept = inputsOfView.get(view);
  if (kept) return kept;
  const inputs = { policies: await cancellationPolicies(db, view.b), facts: Object.freeze(factsOf(view.b, view.money)) };
  if (Object.isFrozen(view)) inputsOfView.set(view, Object.freeze(inputs));
  return inputs;
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
  const { policies, facts } = await inputsOf(db, await viewOf(views, booking_id));
  const decision = decideCancellation({ policies, facts, by, at });
  return { booking_id, action: 'cancel' as const, by, evaluated_at: at, ...decision };
}

/** What each actor may do at `at`; the booking from `views` (as previews), the guest's credits read now. */
export async function bookingConstraints(db: Db, booking_id: string, at: string, views: BookingViews = viewsFromDb(db)) {
  const view = await viewOf(views, booking_id);
  const credits = await heldIn(db, chart.guestCredits(view.b.guest_id));
  const { policies, facts } = await inputsOf(db, view);
  return { booking_id, at, constraints: constraints({ policies, facts, at, credits_balance: credits }) };
}

/** When the host's share falls due, from the booking and the money the caller already read. */
export async function nextPayoutAt(db: Db, b: BookingRecord, money: BookingMoney): Promise<string | null> {
  return payoutDueAt({ payout: await pinnedPolicy(db, b.policies.payout_timing), facts: factsOf(b, money) });
}
