import { canonicalJson } from '../../kernel/index.js';
import { toInt, type Db } from '../../db/connect.js';
import { nextState, type BookingAction, type BookingState } from './state-machine.js';

export type PolicyRef = { kind: string; id: string; version: number; hash: string };
export type PinnedPolicies = Record<string, PolicyRef>;

/** The booking engine's facts about a booking, as of its latest revision. */
export type BookingFactsData = {
  booking_id: string; listing_id: string; guest_id: string; host_id: string;
  check_in: string; check_out: string; check_in_time: string; time_zone: string; currency: string;
  nightly_total: number; cleaning_fee: number; guest_service_fee: number; taxes: number;
  cancellation_policy: string; payment_intent_id: string;
  credits_redeemed?: number;
};

export type BookingRecord = {
  booking_id: string;
  inbox_id: number;
  guest_id: string;
  host_id: string;
  currency: string;
  payment_intent_id: string;
  confirmed_at: string;
  policies: PinnedPolicies;
  facts: BookingFactsData;
  revision: number;
  state: BookingState;
  transitions: Array<{ step: number; from_state: string; to_state: BookingState; at: string; inbox_id: number }>;
};

export async function insertBooking(db: Db, b: { booking_id: string; inbox_id: number; facts: BookingFactsData; confirmed_at: string; policies: PinnedPolicies }): Promise<void> {
  await db('bookings').insert({
    booking_id: b.booking_id,
    inbox_id: b.inbox_id,
    guest_id: b.facts.guest_id,
    host_id: b.facts.host_id,
    currency: b.facts.currency,
    payment_intent_id: b.facts.payment_intent_id,
    confirmed_at: b.confirmed_at,
    policies: canonicalJson(b.policies),
  });
  await db('booking_revisions').insert({ booking_id: b.booking_id, revision: 1, inbox_id: b.inbox_id, facts: canonicalJson(b.facts) });
}

export async function appendRevision(db: Db, booking: BookingRecord, facts: BookingFactsData, inbox_id: number): Promise<void> {
  await db('booking_revisions').insert({ booking_id: booking.booking_id, revision: booking.revision + 1, inbox_id, facts: canonicalJson(facts) });
}

export async function getBooking(db: Db, booking_id: string): Promise<BookingRecord | undefined> {
  const row = await db('bookings').where({ booking_id }).first();
  if (!row) return undefined;
  const rev = await db('booking_revisions').where({ booking_id }).orderBy('revision', 'desc').first('revision', 'facts');
  const transitions = (await db('booking_transitions').where({ booking_id }).orderBy('step').select('step', 'from_state', 'to_state', 'at', 'inbox_id')) as BookingRecord['transitions'];
  const last = transitions[transitions.length - 1];
  return {
    booking_id: row.booking_id,
    inbox_id: toInt(row.inbox_id),
    guest_id: row.guest_id,
    host_id: row.host_id,
    currency: row.currency,
    payment_intent_id: row.payment_intent_id,
    confirmed_at: row.confirmed_at,
    policies: JSON.parse(row.policies) as PinnedPolicies,
    facts: JSON.parse(rev.facts) as BookingFactsData,
    revision: toInt(rev.revision),
    state: (last?.to_state ?? 'awaiting_payment') as BookingState,
    transitions: transitions.map((t) => ({ ...t, step: toInt(t.step), inbox_id: toInt(t.inbox_id) })),
  };
}

export async function bookingIdForPaymentIntent(db: Db, payment_intent_id: string): Promise<string | undefined> {
  const row = await db('bookings').where({ payment_intent_id }).first('booking_id');
  return row?.booking_id;
}

/** Appends the transition `action` implies from the current state, or throws illegal_transition. */
export async function transition(db: Db, booking: BookingRecord | { booking_id: string; state: BookingState | 'none'; transitions: unknown[] }, action: BookingAction, inbox_id: number, at: string): Promise<BookingState> {
  const from = booking.state;
  const to = nextState(from, action);
  if (to === from) return to;
  await db('booking_transitions').insert({ booking_id: booking.booking_id, step: booking.transitions.length + 1, from_state: from, to_state: to, inbox_id, at });
  return to;
}

export async function flagBooking(db: Db, booking_id: string, inbox_id: number, code: string, reason: string): Promise<void> {
  const existing = await db('booking_flags').where({ booking_id, inbox_id, code }).first('id');
  if (!existing) await db('booking_flags').insert({ booking_id, inbox_id, code, reason });
}

export async function bookingFlags(db: Db, booking_id: string): Promise<Array<{ code: string; reason: string; inbox_id: number }>> {
  return (await db('booking_flags').where({ booking_id }).orderBy('id').select('code', 'reason', 'inbox_id')) as Array<{ code: string; reason: string; inbox_id: number }>;
}

/** Links a Stripe object to its booking (first sighting wins; later sightings change nothing). */
export async function linkStripeObject(db: Db, o: { object_id: string; kind: string; booking_id: string | null; inbox_id: number; data: unknown }): Promise<void> {
  await db('stripe_objects').insert({ ...o, data: canonicalJson(o.data) }).onConflict('object_id').ignore();
}

export async function stripeObject(db: Db, object_id: string): Promise<{ object_id: string; kind: string; booking_id: string | null; data: Record<string, unknown> } | undefined> {
  const row = await db('stripe_objects').where({ object_id }).first();
  return row ? { ...row, data: JSON.parse(row.data) } : undefined;
}

export async function stripeObjectsOfBooking(db: Db, booking_id: string, kind?: string): Promise<Array<{ object_id: string; kind: string; data: Record<string, unknown> }>> {
  let q = db('stripe_objects').where({ booking_id });
  if (kind) q = q.where({ kind });
  const rows = await q.orderBy('inbox_id').select('object_id', 'kind', 'data');
  return rows.map((r: { object_id: string; kind: string; data: string }) => ({ ...r, data: JSON.parse(r.data) }));
}

export async function hostConnectedAccount(db: Db, host_id: string): Promise<string | undefined> {
  const row = await db('host_connections').where({ host_id }).orderBy('id', 'desc').first('stripe_account_id');
  return row?.stripe_account_id;
}

export async function hostSubscriptionStatus(db: Db, stripe_account_id: string | undefined): Promise<string | null> {
  if (!stripe_account_id) return null;
  const row = await db('host_subscription_states').where({ stripe_account_id }).orderBy('id', 'desc').first('status');
  return row?.status ?? null;
}
