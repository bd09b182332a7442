import { DomainError, formatIsoUtc, parseIsoUtc, parseJsonBody } from '../kernel/index.js';
import { parseBookingEvent, streamKeyOf, type BookingEvent } from './booking-events.js';
import type { InboxEventInput, StoreResult } from './inbox.js';

/** Where ingestion writes: an InboxWriter (group commit) or storeInboxEvent bound to a database. */
export type InboxStore = (input: InboxEventInput) => Promise<StoreResult>;
import { storedStripePayload, stripPersonalData } from './personal-data.js';
import { stripeStreamKey, verifyStripeWebhook, type VerifiedStripeEvent } from './stripe-webhook.js';


/** Verifies, stores once, acknowledges. Decides nothing: dispatch reads the inbox later. */
export async function ingestStripeWebhook(store: InboxStore, raw: Buffer, header: string | undefined, secrets: string[], now_ms: number): Promise<StoreResult & { type: string; event_id: string }> {
  return storeStripeWebhook(store, raw, verifyStripeWebhook(raw, header, secrets, Math.floor(now_ms / 1000)), now_ms);
}

/** Stores a webhook that has already verified (the HTTP shell verifies first, then rate-limits). */
export async function storeStripeWebhook(store: InboxStore, raw: Buffer, v: VerifiedStripeEvent, now_ms: number): Promise<StoreResult & { type: string; event_id: string }> {
  const stored = await store({
    source: 'stripe', event_id: v.event_id, type: v.type, stream_key: v.stream_key, occurred_at: v.occurred_at,
    payload: storedStripePayload(raw, v.body), received_at: formatIsoUtc(now_ms),
  });
  return { ...stored, type: v.type, event_id: v.event_id };
}

export type BookingIngestCheck = (event: BookingEvent) => Promise<void>;

/** Validates a booking-engine event (schema, then `check`, e.g. that its policy exists) and stores it. */
export async function ingestBookingEvent(store: InboxStore, raw: Buffer, now_ms: number, check: BookingIngestCheck, maxSkew_s = DEFAULT_EVENT_MAX_SKEW_S): Promise<StoreResult & { event: BookingEvent }> {
  const body = parseJsonBody(raw);
  const parsed = parseBookingEvent(body);
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw new DomainError('validation_failed', `${first.field}: ${first.message}`, { errors: parsed.issues });
  }
  refuseFutureEvent(parsed.event.occurred_at, now_ms, maxSkew_s);
  await check(parsed.event);
  const stored = await store({
    source: 'booking', event_id: parsed.event.id, type: parsed.event.type, stream_key: streamKeyOf(parsed.event),
    occurred_at: parsed.event.occurred_at, payload: raw.toString('utf8'), received_at: formatIsoUtc(now_ms),
  });
  return { ...stored, event: parsed.event };
}

export const DEFAULT_EVENT_MAX_SKEW_S = 300;

/**
 * The sender may not set the time: an event dated later than its receipt plus the skew is refused
 * (a `clock.tick` dated 9999 would make every payout due). Past events stay accepted: the booking
 * engine may catch up, and each is decided at its own time.
 */
export function refuseFutureEvent(occurred_at: string, received_ms: number, maxSkew_s: number): void {
  if (parseIsoUtc(occurred_at) > received_ms + maxSkew_s * 1000) {
    throw new DomainError('event_from_future', `occurred_at ${occurred_at} is more than ${maxSkew_s} s after its receipt at ${formatIsoUtc(received_ms)}`, { field: 'occurred_at', received_at: formatIsoUtc(received_ms), max_skew_s: maxSkew_s });
  }
}

/** An object Stripe's API returned to the outbox, logged so the ledger never depends on a webhook arriving. */
export async function ingestStripeApiObject(store: InboxStore, object: Record<string, unknown>, occurred_at: string, now_ms: number): Promise<StoreResult> {
  const kind = String(object.object);
  // The SDK's object as the JSON Stripe sent: stripe-node parses `*_decimal` fields into Decimal
  // objects (BigInt inside, their own toJSON) that a field-by-field copy would break (a finding of the simulation).
  const wire = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
  return store({
    source: 'stripe_api', event_id: `${kind}:${String(object.id)}`, type: kind, stream_key: stripeStreamKey(wire),
    occurred_at, payload: JSON.stringify(stripPersonalData(wire)), received_at: formatIsoUtc(now_ms),
  });
}
