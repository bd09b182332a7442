import { addDays, DAY_MS, formatIsoUtc, HOUR_MS } from '../kernel/index.js';
import type { SignedClient } from '../client/signed-client.js';

/** What the demo needs from a payment provider: make a paid PaymentIntent for a booking. */
export type DemoPayments = {
  createPayment: (p: { amount: number; currency: string; metadata: Record<string, string> }) => { id: string };
  /** Stripe Billing (the fake's), for the host on a plan; without it the demo has no subscription. */
  billing?: DemoBilling;
  setNow?: (unix_s: number) => void;
};
export type DemoBilling = {
  createSubscription: (p: { customer: string; price: string; metadata?: Record<string, string> }) => Record<string, unknown>;
  failNextInvoicePayments: (n?: number) => void;
  renew: (subscription_id: string) => Record<string, unknown>;
};

export type DemoBooking = { booking_id: string; policy: string; story: string };

const date = (ms: number) => formatIsoUtc(ms).slice(0, 10);
const iso = (ms: number) => formatIsoUtc(Math.floor(ms / 1000) * 1000);

/**
 * The demo story, fed through the real endpoints: four bookings on different policies, paid; one
 * checked in and paid out, one cancelled by the guest after a preview (refund), one upcoming to
 * preview, one cancelled by its host. Times are laid out around `now_ms`, then only events carry them.
 */
export async function feedDemoStory(engine: SignedClient, payments: DemoPayments, now_ms: number, settle: () => Promise<void>): Promise<DemoBooking[]> {
  const N = Math.floor(now_ms / HOUR_MS) * HOUR_MS;
  let n = 0;
  const send = async (type: string, occurred_ms: number, data: unknown) => {
    n += 1;
    const r = await engine.event({ id: `demo_${String(n).padStart(3, '0')}`, type, occurred_at: iso(occurred_ms), data });
    if (r.status >= 300) throw new Error(`demo event ${type} refused: ${r.status} ${r.text}`);
  };
  const book = async (booking_id: string, policy: string, confirmed_ms: number, check_in_ms: number, nights: number, amounts: { nightly: number; cleaning: number; service: number; taxes: number }, host_id = 'host_demo_1') => {
    const total = amounts.nightly + amounts.cleaning + amounts.service + amounts.taxes;
    const pi = payments.createPayment({ amount: total, currency: 'usd', metadata: { booking_id } });
    const check_in = date(check_in_ms);
    await send('booking.confirmed', confirmed_ms, {
      booking_id, listing_id: `lst_${booking_id}`, guest_id: 'guest_demo_1', host_id, check_in, check_out: addDays(check_in, nights),
      check_in_time: '15:00', time_zone: 'America/New_York', currency: 'USD', nightly_total: amounts.nightly, cleaning_fee: amounts.cleaning,
      guest_service_fee: amounts.service, taxes: amounts.taxes, cancellation_policy: policy, payment_intent_id: pi.id,
    });
  };

  await send('host.connected', N - 40 * DAY_MS, { host_id: 'host_demo_1', stripe_account_id: 'acct_1DemoHost000001' });
  await book('bk_demo_stay', 'moderate', N - 30 * DAY_MS, N - 10 * DAY_MS, 3, { nightly: 45000, cleaning: 6000, service: 7140, taxes: 4500 });
  await book('bk_demo_cancel', 'firm', N - 20 * DAY_MS, N + 20 * DAY_MS, 4, { nightly: 80000, cleaning: 9000, service: 12460, taxes: 8000 });
  await book('bk_demo_upcoming', 'flexible', N - 2 * DAY_MS, N + 10 * DAY_MS, 2, { nightly: 24001, cleaning: 4000, service: 3920, taxes: 2400 });
  await book('bk_demo_hostcancel', 'strict', N - 15 * DAY_MS, N + 40 * DAY_MS, 5, { nightly: 100000, cleaning: 10000, service: 15400, taxes: 10000 });
  await settle();

  const stayCheckIn = Date.parse(`${date(N - 10 * DAY_MS)}T00:00:00Z`);
  await send('stay.checked_in', stayCheckIn + 20 * HOUR_MS, { booking_id: 'bk_demo_stay' });
  await send('clock.tick', stayCheckIn + 2 * DAY_MS, {});
  await settle();
  await send('stay.completed', stayCheckIn + 3 * DAY_MS + 16 * HOUR_MS, { booking_id: 'bk_demo_stay' });

  // The guest previews, consents to exactly what they saw, and cancels.
  for (const [booking_id, by, at_ms, actor] of [['bk_demo_cancel', 'guest', N - DAY_MS, 'guest_demo_1'], ['bk_demo_hostcancel', 'host', N - 2 * HOUR_MS, 'host_demo_1']] as const) {
    const at = iso(at_ms);
    const preview = await engine.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=${by}&at=${encodeURIComponent(at)}`);
    if (preview.status !== 200) throw new Error(`demo preview failed: ${preview.text}`);
    await send('booking.cancel_requested', at_ms, { booking_id, by, reason: 'demo', consent: { outcome_hash: preview.body.outcome_hash, actor, consented_at: at } });
  }
  const plan = await hostOnAPlan(send, payments, N, settle);
  await send('clock.tick', N, {});
  await settle();
  return [
    { booking_id: 'bk_demo_stay', policy: 'moderate', story: 'paid, checked in, host paid out 24 h after check-in, stay completed (credits earned)' },
    { booking_id: 'bk_demo_cancel', policy: 'firm', story: 'paid, cancelled by the guest 21 days before check-in after a preview: 50% refund' },
    { booking_id: 'bk_demo_upcoming', policy: 'flexible', story: 'paid, check-in in 10 days: preview what a cancellation would give back now' },
    { booking_id: 'bk_demo_hostcancel', policy: 'strict', story: 'paid, cancelled by the host: full refund, credits to the guest, penalty to the host' },
    ...(plan ? [plan] : []),
  ];
}

/**
 * A second host on the Host Pro monthly plan whose renewal invoice failed ten days ago: past due,
 * and the dunning policy's 7-day grace is over, so the demo's last tick holds their payouts.
 */
async function hostOnAPlan(send: (type: string, ms: number, data: unknown) => Promise<void>, payments: DemoPayments, N: number, settle: () => Promise<void>): Promise<DemoBooking | null> {
  const { billing, setNow } = payments;
  if (!billing || !setNow) return null;
  await send('host.connected', N - 45 * DAY_MS, { host_id: 'host_demo_2', stripe_account_id: 'acct_1DemoHost000002' });
  await settle();
  setNow(Math.floor((N - 40 * DAY_MS) / 1000));
  const sub = billing.createSubscription({ customer: 'cus_demo_host_2', price: 'price_1PgafmB7WZ01zgkW6dKueIc5', metadata: { host_id: 'host_demo_2' } });
  await settle();
  setNow(Math.floor((N - 10 * DAY_MS) / 1000));
  billing.failNextInvoicePayments(1);
  billing.renew(String(sub.id));
  await settle();
  setNow(Math.floor(N / 1000));
  return { booking_id: 'host_demo_2', policy: 'plan', story: 'a host on Host Pro (monthly) whose renewal invoice failed 10 days ago: past due, payouts held by dunning (GET /hosts/host_demo_2/subscription)' };
}
