// Generates the published JSON Schemas of the booking-engine events from the zod schemas the
// sidecar validates with (sidecar/src/sari/booking-events.ts), so the two cannot drift:
//   node --import tsx scripts/gen-schemas.ts           writes schemas/booking-events/*.json
//   node --import tsx scripts/gen-schemas.ts --check   exits 1 if the committed files differ
// sidecar/src/sari/schemas.test.ts runs the check in the test suite.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BOOKING_EVENT_DATA, BOOKING_EVENT_TYPES, BookingEventEnvelope, type BookingEventType } from '../sidecar/src/sari/booking-events.js';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'booking-events');
const ID_BASE = 'https://mybnb.example/schemas/booking-events/';

/** What each event means, for the schema's `description` (the fields describe themselves). */
const MEANING: Record<BookingEventType, string> = {
  'booking.confirmed': 'The booking is confirmed in the booking engine. The moment of confirmation is occurred_at. The guest\'s PaymentIntent (payment_intent_id) must carry metadata.booking_id = booking_id.',
  'booking.modified': 'The booking changed before or after payment: booking_id and the full new values of the fields that changed.',
  'booking.cancel_requested': 'The guest or the host asks to cancel, having seen a preview (GET /preview/outcome). consent.outcome_hash is the outcome_hash of that preview; if the outcome has changed since, the cancellation is refused with outcome_changed.',
  'stay.checked_in': 'The guest checked in.',
  'stay.completed': 'The stay is over.',
  'host.connected': 'The host is connected to a Stripe connected account (payouts go there).',
  'clock.tick': 'The only source of time for scheduled work: everything scheduled up to occurred_at becomes due. data is always {}.',
  'subscription.cancel_requested': 'The host asks to cancel their subscription, having seen GET /preview/outcome?action=cancel_subscription&host_id=…; consent.outcome_hash is that preview\'s outcome_hash (refused with outcome_changed if the outcome has changed). Executed through the outbox.',
  'subscription.change_requested': 'The host asks to move their subscription to another plan (price, a Stripe price id the subscription policy lists), having seen GET /preview/outcome?action=change_plan&host_id=…&price=…; refused with outcome_changed if the proration has changed. Executed through the outbox with the previewed proration_date.',
  'money.retry_requested': 'Re-opens an outbound payment (an outbox intent) that ended in a terminal failure, for one more retry schedule, if the retry policy allows. The intent id is the one listed by GET /outbox?status=failed.',
};

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every file under schemas/booking-events, by file name, as the generator writes it. */
export function generateSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  const env = BookingEventEnvelope.shape;
  // `io: 'input'`: what a sender may send (a field with a default is optional, with its default shown).
  const envelope = z.toJSONSchema(BookingEventEnvelope, { io: 'input' });
  files['envelope.json'] = json({
    ...envelope,
    $id: `${ID_BASE}envelope.json`,
    title: 'Booking-engine event (envelope)',
    description: 'Every event POSTed to /events/booking, signed with MyBnB-Signature. id is the dedupe key (with the source "booking"); occurred_at is when it happened in the booking engine. data is checked against the schema of its type: see <type>.json.',
  });
  for (const type of BOOKING_EVENT_TYPES) {
    const event = z.strictObject({ id: env.id, type: z.literal(type), occurred_at: env.occurred_at, data: BOOKING_EVENT_DATA[type] });
    files[`${type}.json`] = json({
      ...z.toJSONSchema(event, { io: 'input' }),
      $id: `${ID_BASE}${type}.json`,
      title: type,
      description: MEANING[type],
    });
  }
  files['index.json'] = json({ types: BOOKING_EVENT_TYPES, envelope: 'envelope.json', schemas: Object.fromEntries(BOOKING_EVENT_TYPES.map((t) => [t, `${t}.json`])) });
  return files;
}

/** Names of files that differ from (or are missing in, or extra in) the committed directory. */
export function differences(dir = SCHEMA_DIR): string[] {
  const want = generateSchemas();
  let have: string[] = [];
  try {
    have = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    /* no directory yet */
  }
  const out: string[] = [];
  for (const [name, content] of Object.entries(want)) {
    let current: string | null = null;
    try {
      current = readFileSync(join(dir, name), 'utf8');
    } catch {
      /* missing */
    }
    if (current !== content) out.push(name);
  }
  for (const name of have) if (!(name in want)) out.push(name);
  return out.sort();
}

export function writeSchemas(dir = SCHEMA_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files = generateSchemas();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const diff = differences();
    if (diff.length > 0) {
      process.stderr.write(`schemas/booking-events is out of date (${diff.join(', ')}): run node --import tsx scripts/gen-schemas.ts\n`);
      process.exit(1);
    }
    process.stdout.write('schemas/booking-events is up to date\n');
  } else {
    process.stdout.write(`wrote ${writeSchemas().map((f) => `schemas/booking-events/${f}`).join(', ')}\n`);
  }
}
