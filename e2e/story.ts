/**
 * The demo story the e2e suite shows in WordPress: one host, one guest with bookings, and another
 * guest who must see nothing.
 *
 * HOOK(lead): when the sidecar ships its own story feeder, point E2E_STORY_MODULE at it (a module
 * exporting `feedDemoStory(env): Promise<StoryResult>`); until then `feedContractStory` below feeds
 * the story through the public contract (booking-engine-contract.md): signed POST /events/booking.
 */
import { signedRequest, type SidecarKey } from './lib/signed-http.js';

export type StoryEnv = {
  sidecarUrl: string;
  engineKey: SidecarKey;
  stripeApiUrl: string;
};

export type StoryResult = {
  /** A booking of `guestId` that can still be cancelled (the preview page shows it). */
  bookingId: string;
  guestId: string;
  /** A guest id that owns none of the story's bookings. */
  otherGuestId: string;
  hostId: string;
  /** A statement period (YYYY-MM-DD) that covers the story's bookings. */
  from: string;
  to: string;
};

const DAY_MS = 86_400_000;
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export async function feedStory(env: StoryEnv): Promise<StoryResult> {
  const moduleName = process.env['E2E_STORY_MODULE'];
  if (moduleName) {
    const mod = (await import(moduleName)) as { feedDemoStory?: (e: StoryEnv) => Promise<StoryResult> };
    if (typeof mod.feedDemoStory !== 'function') throw new Error(`${moduleName} exports no feedDemoStory()`);
    return mod.feedDemoStory(env);
  }
  return feedContractStory(env);
}

async function post(env: StoryEnv, event: { id: string; type: string; occurred_at: string; data: Record<string, unknown> }): Promise<void> {
  const answer = await signedRequest(env.sidecarUrl, env.engineKey, 'POST', '/events/booking', JSON.stringify(event));
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`POST /events/booking ${event.type} -> ${answer.status}: ${answer.text.slice(0, 400)}`);
  }
}

/** A PaymentIntent in the Stripe fake carrying metadata.booking_id, as the contract links them. */
async function paymentIntent(env: StoryEnv, bookingId: string, amountMinor: number, currency: string): Promise<string> {
  const form = new URLSearchParams({
    amount: String(amountMinor),
    currency: currency.toLowerCase(),
    'metadata[booking_id]': bookingId,
    'payment_method_types[]': 'card',
  });
  const response = await fetch(`${env.stripeApiUrl}/v1/payment_intents`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_e2e', 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': `e2e-pi-${bookingId}` },
    body: form,
  });
  const json = (await response.json()) as { id?: string };
  if (!response.ok || !json.id) throw new Error(`Stripe fake: create PaymentIntent -> ${response.status}`);
  return json.id;
}

export async function feedContractStory(env: StoryEnv): Promise<StoryResult> {
  const now = Date.now();
  const run = now.toString(36);
  const hostId = `h_e2e_${run}`;
  const guestId = `g_e2e_${run}`;
  const bookingId = `bk_e2e_${run}`;
  const occurredAt = new Date(now - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await post(env, { id: `bev_${run}_host`, type: 'host.connected', occurred_at: occurredAt, data: { host_id: hostId, stripe_account_id: `acct_e2e${run}` } });
  const lines = { nightly_total: 45_000, cleaning_fee: 6_000, guest_service_fee: 5_100, taxes: 4_200 };
  const total = lines.nightly_total + lines.cleaning_fee + lines.guest_service_fee + lines.taxes;
  const pi = await paymentIntent(env, bookingId, total, 'USD');
  await post(env, {
    id: `bev_${run}_confirmed`,
    type: 'booking.confirmed',
    occurred_at: occurredAt,
    data: {
      booking_id: bookingId,
      listing_id: `l_e2e_${run}`,
      guest_id: guestId,
      host_id: hostId,
      check_in: ymd(now + 30 * DAY_MS),
      check_out: ymd(now + 33 * DAY_MS),
      check_in_time: '15:00',
      time_zone: 'Europe/Lisbon',
      currency: 'USD',
      ...lines,
      cancellation_policy: 'moderate',
      payment_intent_id: pi,
    },
  });
  return { bookingId, guestId, otherGuestId: `g_e2e_other_${run}`, hostId, from: ymd(now - 365 * DAY_MS), to: ymd(now + 365 * DAY_MS) };
}
