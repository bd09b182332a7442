import { WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { checkedIn, confirmed, eventId, hostConnected, tick, total } from '../testing/events.js';
import { postStripeWebhook, type Reply } from '../client/signed-client.js';
import { chargeSucceeded, paymentSucceeded, rekeyed } from '../http/stripe-fixtures.test-helper.js';

/**
 * A small multi-booking story as a list of deliveries, each with the deliveries that must have
 * been stored before it (causality the senders guarantee: the booking engine sends a booking's
 * own events in order, and only sends check-in or a cancellation with consent after the guest
 * paid). Stripe events have no such constraint: they may come first, late, or many times.
 */
export type Delivery = {
  name: string;
  source: 'booking' | 'stripe';
  /** The body, fixed on first use (a consent hash is taken from a preview in the reference run). */
  body: Record<string, unknown> | null;
  build?: (h: Harness) => Promise<Record<string, unknown>>;
  after: string[];
};

const ts = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function storyDeliveries(tag: string): Delivery[] {
  const list: Delivery[] = [];
  const add = (d: Omit<Delivery, 'body'> & { body?: Record<string, unknown> }) => list.push({ body: null, ...d });
  const bk = (x: string) => `bk_${tag}_${x}`;
  const pi = (x: string) => `pi_${tag}_${x}`;

  add({ name: 'host', source: 'booking', body: hostConnected(`host_${tag}`, `acct_1${tag}Host`, '2026-09-01T09:00:00Z'), after: [] });
  const conf = (x: string, extra: Record<string, unknown> = {}) => confirmed('2026-09-01T10:00:00Z', { booking_id: bk(x), payment_intent_id: pi(x), host_id: `host_${tag}`, guest_id: `guest_${tag}_${x}`, ...extra });

  // A: paid (charge reported too), then checked in
  const a = conf('a');
  add({ name: 'a.confirm', source: 'booking', body: a, after: [] });
  add({ name: 'a.pay', source: 'stripe', body: paymentSucceeded({ booking_id: bk('a'), payment_intent_id: pi('a'), amount: total(a.data), created: ts('2026-09-01T10:05:00Z') }), after: [] });
  add({ name: 'a.charge', source: 'stripe', body: chargeSucceeded({ booking_id: bk('a'), payment_intent_id: pi('a'), amount: total(a.data), created: ts('2026-09-01T10:05:01Z') }), after: [] });
  add({ name: 'a.checkin', source: 'booking', body: checkedIn(bk('a'), '2026-10-10T13:05:00Z'), after: ['a.confirm', 'a.pay'] });
  // a refund nobody decided: refused (dead-lettered) whenever it lands, never posted
  const rogue = rekeyed('refund.updated', ts('2026-09-03T00:00:00Z'));
  Object.assign(rogue.data.object, { id: `re_${tag}_rogue`, payment_intent: pi('a'), charge: `ch_${tag}_a`, metadata: { booking_id: bk('a') } });
  add({ name: 'a.rogue_refund', source: 'stripe', body: rogue, after: [] });

  // B: modified before payment; the payment is for the new total (before the change it would not match)
  const b = conf('b', { cleaning_fee: 6000 });
  add({ name: 'b.confirm', source: 'booking', body: b, after: [] });
  add({ name: 'b.modify', source: 'booking', body: { id: eventId(), type: 'booking.modified', occurred_at: '2026-09-01T10:02:00Z', data: { booking_id: bk('b'), nightly_total: 31000 } }, after: ['b.confirm'] });
  add({ name: 'b.pay', source: 'stripe', body: paymentSucceeded({ booking_id: bk('b'), payment_intent_id: pi('b'), amount: total({ ...b.data, nightly_total: 31000 }), created: ts('2026-09-01T10:06:00Z') }), after: [] });

  // C: paid, then cancelled by the guest with the consent hash of the preview shown after payment
  const c = conf('c', { cancellation_policy: 'flexible', check_in: '2026-09-20', check_out: '2026-09-22' });
  add({ name: 'c.confirm', source: 'booking', body: c, after: [] });
  add({ name: 'c.pay', source: 'stripe', body: paymentSucceeded({ booking_id: bk('c'), payment_intent_id: pi('c'), amount: total(c.data), created: ts('2026-09-01T10:07:00Z') }), after: [] });
  add({ name: 'c.cancel', source: 'booking', after: ['c.confirm', 'c.pay'], build: (h) => cancelWithConsent(h, bk('c'), `guest_${tag}_c`, '2026-09-05T08:00:00Z') });

  // D: never paid, cancelled by the guest
  add({ name: 'd.confirm', source: 'booking', body: conf('d', { cancellation_policy: 'strict' }), after: [] });
  add({ name: 'd.cancel', source: 'booking', after: ['d.confirm'], build: (h) => cancelWithConsent(h, bk('d'), `guest_${tag}_d`, '2026-09-06T08:00:00Z') });

  // a payment for a booking never confirmed: parked, in every run
  add({ name: 'x.pay', source: 'stripe', body: paymentSucceeded({ booking_id: bk('never'), payment_intent_id: pi('never'), amount: 1000, created: ts('2026-09-01T11:00:00Z') }), after: [] });
  // Stripe noise: a Connect payout (a connected account's own: ignored), a subscription (recorded, no money)
  add({ name: 'noise.payout', source: 'stripe', body: rekeyed('payout.paid'), after: [] });
  const sub = rekeyed('customer.subscription.created');
  (sub.data.object.metadata as Record<string, string>).host_account = `acct_1${tag}Host`;
  add({ name: 'noise.sub', source: 'stripe', body: sub, after: [] });

  // the clock, once everything else is in (a tick's effect depends on what it finds)
  add({ name: 'tick', source: 'booking', body: tick('2026-10-12T00:00:00Z'), after: list.map((d) => d.name) });
  return list;
}

export async function cancelWithConsent(h: Harness, booking_id: string, actor: string, at: string): Promise<Record<string, unknown>> {
  await h.sidecar.dispatcher.drain();
  const preview = await h.reader.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=guest&at=${encodeURIComponent(at)}`);
  if (preview.status !== 200) throw new Error(`preview of ${booking_id}: ${preview.text}`);
  return { id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id, by: 'guest', consent: { outcome_hash: preview.body.outcome_hash, actor, consented_at: at } } };
}

/** Sends one delivery (building its body on first use) and returns the answer. */
export async function deliver(h: Harness, d: Delivery): Promise<Reply> {
  if (!d.body) d.body = await d.build!(h);
  return d.source === 'stripe' ? postStripeWebhook(h.sidecar.url, d.body, WEBHOOK_SECRET) : h.engine.event(d.body as never);
}

export function idOf(d: Delivery): { source: string; event_id: string } {
  return { source: d.source, event_id: String(d.body!.id) };
}

/** A small seeded PRNG (mulberry32), so a failing order can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each delivery `copies` times in a random order that respects `after` for first copies: a random
 * topological order of the first copies, then every extra copy dropped at a random later place.
 */
export function shuffledWithCopies(list: Delivery[], copies: number, random: () => number): Delivery[] {
  const placed = new Set<string>();
  const order: Delivery[] = [];
  const left = [...list];
  while (left.length > 0) {
    const ready = left.filter((d) => d.after.every((n) => placed.has(n)));
    const pick = ready[Math.floor(random() * ready.length)]!;
    left.splice(left.indexOf(pick), 1);
    placed.add(pick.name);
    order.push(pick);
  }
  for (const d of list) {
    for (let k = 1; k < copies; k++) {
      const first = order.indexOf(d);
      const at = first + 1 + Math.floor(random() * (order.length - first));
      order.splice(at, 0, d);
    }
  }
  return order;
}
