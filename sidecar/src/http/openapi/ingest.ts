import { z } from 'zod';
import { BOOKING_EVENT_DATA, BOOKING_EVENT_TYPES, BookingEventEnvelope } from '../../sari/booking-events.js';
import { handledStripeEventTypes } from '../../pipeline/handlers/stripe-event-types.js';
import type { RouteDoc } from './registry.js';

const env = BookingEventEnvelope.shape;
/** One schema per event type, from the very schemas ingestion validates with. */
const BookingEvent = z.union(BOOKING_EVENT_TYPES.map((type) => z.strictObject({ id: env.id, type: z.literal(type), occurred_at: env.occurred_at, data: BOOKING_EVENT_DATA[type] }).meta({ title: type })) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);

const Ack = z.object({ received: z.literal(true), duplicate: z.boolean(), event_id: z.string() });

export const ingestDocs: RouteDoc[] = [
  {
    method: 'post', path: '/events/booking', summary: 'A booking-engine event (stored once, acknowledged, dispatched in inbox order)', tags: ['ingest'],
    auth: { kind: 'signed' },
    body: { schema: BookingEvent },
    responses: {
      202: { description: 'stored (new)', schema: Ack.extend({ status_url: z.string() }) },
      200: { description: 'duplicate of a stored event (same id, same content)', schema: Ack.extend({ status_url: z.string() }) },
    },
    problems: ['validation_failed', 'unknown_policy', 'invalid_json', 'json_too_deep', 'body_too_large', 'unsupported_media_type', 'idempotency_conflict', 'overloaded'],
    example: { path: '/events/booking', body: { id: 'bev_oa_example_tick', type: 'clock.tick', occurred_at: '2026-01-01T00:00:00Z', data: {} } },
  },
  {
    method: 'post', path: '/webhooks/stripe', summary: 'A Stripe webhook delivery (verified with the SDK against STRIPE_WEBHOOK_SECRETS)', tags: ['ingest'], auth: { kind: 'stripe' },
    body: { schema: z.object({ id: z.string(), type: z.string().meta({ description: `acted on: ${handledStripeEventTypes().join(', ')}; others are stored and ignored` }), created: z.number().int(), data: z.object({ object: z.record(z.string(), z.unknown()) }) }).loose() },
    responses: { 200: { description: 'stored (or a duplicate)', schema: Ack } },
    problems: ['invalid_json', 'body_too_large', 'overloaded', 'validation_failed'],
  },
];
