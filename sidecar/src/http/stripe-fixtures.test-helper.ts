import { readFileSync } from 'node:fs';
import type { Db } from '../db/connect.js';
import { toInt } from '../db/connect.js';

/**
 * The real Stripe event shapes in fixtures/stripe (stripe/openapi fixtures wrapped in
 * Event envelopes, see SOURCE.md there), and small builders that re-key them for a test.
 */
const DIR = new URL('../../../fixtures/stripe/', import.meta.url);

export type StripeEventJson = {
  id: string;
  object: 'event';
  account?: string;
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: boolean;
  pending_webhooks: number;
  request: unknown;
  type: string;
};

/** A deep copy of `<name>.json`, e.g. `fixture('payment_intent.succeeded')`. */
export function fixture(name: string): StripeEventJson {
  return JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as StripeEventJson;
}

let n = 0;
/** An event id no other test uses (Stripe's are `evt_` + 24 alphanumerics). */
export function freshEventId(): string {
  n += 1;
  return `evt_t${process.pid}x${n}x${Math.random().toString(36).slice(2, 10)}`;
}

/** The fixture with a new event id (and optionally a new `created`), so tests never collide. */
export function rekeyed(name: string, created?: number): StripeEventJson {
  const e = fixture(name);
  e.id = freshEventId();
  if (created !== undefined) e.created = created;
  return e;
}

/**
 * `payment_intent.succeeded` from the fixture, re-pointed at one of our bookings: the guest's
 * PaymentIntent carries `metadata.booking_id` (the contract's Stripe linkage).
 */
export function paymentSucceeded(p: { booking_id: string; payment_intent_id: string; amount: number; created: number; event_id?: string }): StripeEventJson {
  const e = fixture('payment_intent.succeeded');
  e.id = p.event_id ?? freshEventId();
  e.created = p.created;
  const o = e.data.object;
  Object.assign(o, {
    id: p.payment_intent_id, amount: p.amount, amount_received: p.amount, currency: 'usd',
    latest_charge: `ch_${p.payment_intent_id.slice(3)}`, application_fee_amount: null, transfer_data: null,
    client_secret: `${p.payment_intent_id}_secret_test`, description: `Booking ${p.booking_id}`,
    metadata: { booking_id: p.booking_id },
  });
  return e;
}

/** `charge.succeeded` for that payment, without a balance transaction (the fee comes later). */
export function chargeSucceeded(p: { booking_id: string; payment_intent_id: string; amount: number; created: number }): StripeEventJson {
  const e = fixture('charge.succeeded');
  e.id = freshEventId();
  e.created = p.created;
  Object.assign(e.data.object, {
    id: `ch_${p.payment_intent_id.slice(3)}`, amount: p.amount, amount_captured: p.amount, currency: 'usd',
    payment_intent: p.payment_intent_id, balance_transaction: null, application_fee: null, application_fee_amount: null,
    transfer: null, transfer_data: null, transfer_group: null, metadata: { booking_id: p.booking_id },
  });
  return e;
}

/** Row counts of every table SARI and dispatch write: "nothing written" means all equal. */
export async function writtenCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['inbox_events', 'event_results', 'event_parkings', 'journal_entries', 'bookings', 'decisions', 'outbox_intents']) {
    out[table] = toInt((await db(table).count({ n: '*' }).first())?.n);
  }
  return out;
}
