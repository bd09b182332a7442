import Stripe from 'stripe';
import { formatIsoUtc, parseIsoUtc } from '../../sidecar/src/kernel/index.js';
import { chargeSucceeded, paymentSucceeded } from '../../sidecar/src/http/stripe-fixtures.test-helper.js';
import { confirmed, total } from '../../sidecar/src/testing/events.js';
import { ENGINE_KEY, WEBHOOK_SECRET } from '../../sidecar/src/testing/harness.js';
import { signatureHeaderValue } from '../../sidecar/src/sari/request-signature.js';
import type { PreparedRequest } from './load.js';

/**
 * What the benches send: real Stripe event shapes from fixtures/stripe re-keyed per event
 * (distinct event ids, each pointing at one of the bench's bookings), signed the way Stripe signs
 * them (the SDK's generateTestHeaderString), and booking-engine events from the test builders.
 */

const sdk = new Stripe('sk_test_bench_signing_only', { telemetry: false });

export const CANCELLATION_POLICIES = ['flexible', 'moderate', 'limited', 'firm', 'strict', 'non_refundable'] as const;
const TIME_ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'] as const;

/** Booking facts are confirmed from this instant on, one second apart. */
export const CONFIRMED_FROM = '2026-08-01T10:00:00Z';

export type BenchBooking = { booking_id: string; payment_intent_id: string; amount: number; confirmed_at: string; check_in: string; policy: string; time_zone: string };

/** The i-th bench booking of run `tag`: policies, time zones and check-in dates rotate. */
export function benchBooking(tag: string, i: number): BenchBooking {
  const confirmedMs = parseIsoUtc(CONFIRMED_FROM) + i * 1000;
  const checkInMs = parseIsoUtc('2026-09-01T00:00:00Z') + (i % 90) * 86_400_000;
  const check_in = formatIsoUtc(checkInMs).slice(0, 10);
  const base = confirmed(formatIsoUtc(confirmedMs), { booking_id: `bk_${tag}_${i}`, payment_intent_id: `pi_${tag}x${i}` });
  return {
    booking_id: base.data.booking_id, payment_intent_id: base.data.payment_intent_id, amount: total(base.data),
    confirmed_at: base.occurred_at, check_in, policy: CANCELLATION_POLICIES[i % CANCELLATION_POLICIES.length]!,
    time_zone: TIME_ZONES[i % TIME_ZONES.length]!,
  };
}

/** booking.confirmed for a bench booking (raw JSON body, as the booking engine sends it). */
export function confirmedBody(b: BenchBooking, i: number): string {
  const nights = 1 + (i % 7);
  const checkOut = formatIsoUtc(parseIsoUtc(`${b.check_in}T00:00:00Z`) + nights * 86_400_000).slice(0, 10);
  const ev = confirmed(b.confirmed_at, {
    booking_id: b.booking_id, payment_intent_id: b.payment_intent_id, guest_id: `guest_${i % 97}`, host_id: `host_${i % 31}`,
    listing_id: `lst_${i % 61}`, check_in: b.check_in, check_out: checkOut, time_zone: b.time_zone, cancellation_policy: b.policy,
  });
  return JSON.stringify(ev);
}

/** payment_intent.succeeded for a bench booking, the amount it was confirmed at. */
export function paymentBody(b: BenchBooking): string {
  const created = Math.floor(parseIsoUtc(b.confirmed_at) / 1000) + 60;
  return JSON.stringify(paymentSucceeded({ booking_id: b.booking_id, payment_intent_id: b.payment_intent_id, amount: b.amount, created }));
}

/** charge.succeeded (no balance transaction yet) for a bench booking's payment, with a fresh event id. */
export function chargeBody(b: BenchBooking): string {
  const created = Math.floor(parseIsoUtc(b.confirmed_at) / 1000) + 61;
  return JSON.stringify(chargeSucceeded({ booking_id: b.booking_id, payment_intent_id: b.payment_intent_id, amount: b.amount, created }));
}

export function stripeSignature(payload: string, now_s = Math.floor(Date.now() / 1000)): string {
  return sdk.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp: now_s });
}

/** `count` signed charge.succeeded webhooks over the first `bookings` bench bookings of `tag`. */
export function signedChargeWebhooks(tag: string, bookings: number, count: number): PreparedRequest[] {
  const now_s = Math.floor(Date.now() / 1000);
  const out: PreparedRequest[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const payload = chargeBody(benchBooking(tag, k % bookings));
    out[k] = {
      method: 'POST', path: '/webhooks/stripe',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': stripeSignature(payload, now_s) },
      body: Buffer.from(payload, 'utf8'),
    };
  }
  return out;
}

/** booking.cancel_requested by the guest, with the consent of the preview they saw at `at`. */
export function cancellationBody(t: { booking_id: string; outcome_hash: string }, at: string): string {
  return JSON.stringify({ id: `bev_cancel_${t.booking_id}`, type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: t.booking_id, by: 'guest', consent: { outcome_hash: t.outcome_hash, actor: 'guest', consented_at: at } } });
}

/** A booking-engine event as the engine posts it: signed with its key (MyBnB-Signature). */
export function signedBookingEvent(body: string, now_s = Math.floor(Date.now() / 1000)): PreparedRequest {
  const path = '/events/booking';
  return {
    method: 'POST', path,
    headers: { 'content-type': 'application/json', 'mybnb-signature': signatureHeaderValue({ ...ENGINE_KEY, t: now_s, method: 'POST', pathWithQuery: path, body }) },
    body: Buffer.from(body, 'utf8'),
  };
}

/** A Stripe webhook as Stripe posts it. */
export function signedStripeWebhook(payload: string, now_s = Math.floor(Date.now() / 1000)): PreparedRequest {
  return {
    method: 'POST', path: '/webhooks/stripe',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': stripeSignature(payload, now_s) },
    body: Buffer.from(payload, 'utf8'),
  };
}

/**
 * The live mix over HTTP, in units of 11 requests: five new bookings' confirmations (booking
 * engine), the payments of the five bookings confirmed PAYMENT_LAG_UNITS units earlier (Stripe; a
 * payment arrives a moment after its confirmation), and one guest cancellation with refund of an
 * already-paid booking (so 20 % of bookings are cancelled). Bookings `from`, `from + 1`, … of `tag`.
 * Clock ticks releasing payouts are stored by the sidecar itself (its clock), not sent.
 */
export const PAYMENT_LAG_UNITS = 20;
export function liveMix(tag: string, from: number, units: number, cancels: Array<{ booking_id: string; outcome_hash: string }>, cancelAt: string): { requests: PreparedRequest[]; bookings: number; payments: number; cancellations: number } {
  const now_s = Math.floor(Date.now() / 1000);
  const requests: PreparedRequest[] = [];
  let payments = 0;
  let cancellations = 0;
  for (let u = 0; u < units; u++) {
    for (let k = 0; k < 5; k++) {
      const i = from + u * 5 + k;
      requests.push(signedBookingEvent(confirmedBody(benchBooking(tag, i), i), now_s));
    }
    if (u >= PAYMENT_LAG_UNITS) {
      for (let k = 0; k < 5; k++) {
        requests.push(signedStripeWebhook(paymentBody(benchBooking(tag, from + (u - PAYMENT_LAG_UNITS) * 5 + k)), now_s));
        payments++;
      }
    }
    const c = cancels[cancellations];
    if (!c) throw new Error(`liveMix: ${cancels.length} cancellation targets are not enough for ${units} units`);
    requests.push(signedBookingEvent(cancellationBody(c, cancelAt), now_s));
    cancellations++;
  }
  return { requests, bookings: units * 5, payments, cancellations };
}
