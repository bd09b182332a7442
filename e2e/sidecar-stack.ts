/**
 * The real sidecar and the Stripe fake in one process for the e2e suite, configured from the
 * environment exactly as in production (SIDECAR_KEYS, DATABASE_URL on MariaDB, STRIPE_SECRET_KEY,
 * STRIPE_API_URL pointing at the fake), then the sidecar's own demo story fed through its real
 * signed endpoints with the booking-engine key. In-process so that the story can wait for the
 * dispatcher, the outbox and the fake's webhooks to settle, as `npm start`'s demo mode does.
 *
 * Env: everything loadConfig() reads, plus STRIPE_FAKE_PORT, ENGINE_KEY_ID, E2E_STORY_OUT.
 * Prints `e2e stack ready <sidecar url>` once the story is in, then serves until SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfig } from '../sidecar/src/config.js';
import { startSidecar } from '../sidecar/src/server.js';
import { startStripeFake } from '../sidecar/src/stripe-fake/index.js';
import { SignedClient } from '../sidecar/src/client/signed-client.js';
import { feedDemoStory } from '../sidecar/src/demo/story.js';
import { settle as settleQuiet } from '../sidecar/src/demo/settle.js';
import type { StoryResult } from './story.js';

const DAY_MS = 86_400_000;
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const config = loadConfig();
if (config.demo) throw new Error('SIDECAR_KEYS must be set: the e2e stack runs with configured keys, not demo mode');
const engineKey = config.sidecarKeys.find((k) => k.keyId === need('ENGINE_KEY_ID') && k.role === 'booking-engine');
if (!engineKey) throw new Error('ENGINE_KEY_ID names no booking-engine key in SIDECAR_KEYS');
const webhookSecret = config.stripeWebhookSecrets[0];
if (!webhookSecret) throw new Error('STRIPE_WEBHOOK_SECRETS must hold at least one secret');

const fake = await startStripeFake({ port: Number(need('STRIPE_FAKE_PORT')), idTag: 'e2e' });
const sidecar = await startSidecar(config, { logger: pino({ level: config.logLevel }) });
fake.setWebhookTarget(`${sidecar.url}/webhooks/stripe`, webhookSecret);

const settle = (): Promise<void> => settleQuiet(sidecar, fake, 100);

const now_ms = Date.now();
const bookings = await feedDemoStory(new SignedClient(sidecar.url, engineKey), fake, now_ms, settle);
await settle();
const upcoming = bookings.find((b) => b.booking_id === 'bk_demo_upcoming') ?? bookings[0];
if (!upcoming) throw new Error('the demo story fed no booking');
const engine = new SignedClient(sidecar.url, engineKey);
const booking = await engine.get(`/bookings/${encodeURIComponent(upcoming.booking_id)}`);
if (booking.status !== 200) throw new Error(`GET /bookings/${upcoming.booking_id} -> ${booking.status}: ${booking.text}`);
const story: StoryResult = {
  bookingId: upcoming.booking_id,
  guestId: String(booking.body.guest_id),
  otherGuestId: `${String(booking.body.guest_id)}_other`,
  hostId: String(booking.body.host_id),
  from: ymd(now_ms - 365 * DAY_MS),
  to: ymd(now_ms + 365 * DAY_MS),
};
writeFileSync(need('E2E_STORY_OUT'), JSON.stringify(story) + '\n');
console.log(`e2e stack ready ${sidecar.url}`);

const stop = async (): Promise<void> => {
  await sidecar.stop();
  await fake.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
