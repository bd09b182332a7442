import { addDays, DAY_MS, formatIsoUtc, localToUtc } from '../kernel/time.js';
import { rng, type Rng } from './prng.js';

/**
 * A marketplace history as plain data: what the booking engine and Stripe's side did, in order.
 * Generated from a seed alone; the driver (driver.ts) plays it against the real sidecar. New flows
 * plug in as generators (GENERATORS below): each adds the steps of one booking's life.
 */
export type BookingSpec = {
  booking_id: string; host_id: string; guest_id: string; listing_id: string;
  check_in: string; check_out: string; check_in_time: string; time_zone: string; currency: 'USD';
  nightly_total: number; cleaning_fee: number; guest_service_fee: number; taxes: number; cancellation_policy: string;
  /** Whether the guest pays (a PaymentIntent at the Stripe fake) or the booking stays unpaid. */
  paid: boolean;
};

export type Step =
  | { kind: 'host'; at: string; host_id: string; account: string }
  | { kind: 'confirm'; at: string; booking: BookingSpec }
  | { kind: 'checkin'; at: string; booking_id: string }
  | { kind: 'cancel'; at: string; booking_id: string; by: 'guest' | 'host' }
  | { kind: 'dispute'; at: string; booking_id: string }
  | { kind: 'dispute_close'; at: string; booking_id: string; outcome: 'lost' | 'won' }
  | { kind: 'tick'; at: string }
  /** booking.modified after payment, with consent to the action=modify preview (a cheaper or a dearer stay). */
  | { kind: 'modify'; at: string; booking_id: string; nightly_total: number; check_out?: string }
  /** stay.completed: the guest earns loyalty credits. */
  | { kind: 'complete'; at: string; booking_id: string }
  /** Stripe's account.updated for a host's Connect account: transfers restricted (payouts held) or restored. */
  | { kind: 'account'; at: string; host_id: string; account: string; restricted: boolean }
  /** A host's subscription (#14): an action at the Stripe fake (sign-up, renewal, retry) or a request with consent to its preview (plan change, cancellation). */
  | { kind: 'subscription'; at: string; host_id: string; action: SubscriptionAction };

/** What a host's subscription does at a step (subscriptionLife). */
export type SubscriptionAction =
  | { do: 'subscribe'; price: string; policy: 'standard' | 'offset' }
  /** The next period's invoice; a declined card leaves it open (dunning, money-flows flow 13). */
  | { do: 'renew'; declined: boolean }
  /** The open invoices paid at last (Smart Retries, or the host's new card); nothing if an offset paid them. */
  | { do: 'retry' }
  | { do: 'change_plan'; price: string }
  | { do: 'cancel' };

export type History = { seed: number; steps: Step[] };

export const POLICIES = ['flexible', 'moderate', 'limited', 'firm', 'strict', 'non_refundable'] as const;
export const TIME_ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland', 'UTC', 'America/Los_Angeles', 'Asia/Kolkata'] as const;

// Histories lie in the past (2025): the sidecar refuses events dated after its own clock + skew,
// and Stripe signatures are checked against the real clock.
const START_MS = Date.parse('2025-03-01T00:00:00Z');
const iso = (ms: number) => formatIsoUtc(Math.floor(ms / 1000) * 1000);

type Ctx = { r: Rng; seed: number; hosts: Array<{ host_id: string; account: string }> };
type Generator = (ctx: Ctx, n: number) => Step[];
type HostGenerator = (r: Rng, host: { host_id: string; account: string }) => Step[];

/** A cancellation moment: a random one, or one on (or a second either side of) a policy window edge. */
function cancelAt(r: Rng, confirmed_ms: number, check_in_ms: number): number {
  const edgeDays = r.pick([1, 2, 5, 7, 14, 30]);
  const candidates = [
    confirmed_ms + r.int(60, 23 * 3600) * 1000, // inside a 24 h free window
    confirmed_ms + 24 * 3600 * 1000 + r.pick([-1000, 0, 1000]), // the 24 h edge
    check_in_ms - edgeDays * DAY_MS + r.pick([-1000, 0, 1000]), // a window edge
    confirmed_ms + r.next() * (check_in_ms + 3 * DAY_MS - confirmed_ms), // anywhere, mid-stay included
  ];
  return Math.max(confirmed_ms + 60_000, r.pick(candidates));
}

/** One booking: confirmed (paid or not), then maybe cancelled, checked in, disputed, and ticked. */
const bookingLife: Generator = ({ r, seed, hosts }, n) => {
  const host = r.pick(hosts);
  const confirmed_ms = START_MS + r.int(0, 20) * DAY_MS + r.int(0, 86_399) * 1000;
  const check_in = addDays(iso(confirmed_ms).slice(0, 10), r.int(1, 45));
  const nights = r.int(1, 9);
  const b: BookingSpec = {
    booking_id: `bk_s${seed}_${n}`, host_id: host.host_id, guest_id: `guest_s${seed}_${r.int(1, 3)}`, listing_id: `lst_s${seed}_${r.int(1, 4)}`,
    check_in, check_out: addDays(check_in, nights), check_in_time: r.pick(['14:00', '15:00', '16:30']), time_zone: r.pick(TIME_ZONES), currency: 'USD',
    nightly_total: nights * r.int(40, 400) * 100, cleaning_fee: r.pick([0, 2500, 5000]), guest_service_fee: r.int(0, 60) * 100, taxes: r.int(0, 40) * 100,
    cancellation_policy: r.pick(POLICIES), paid: r.chance(0.85),
  };
  const check_in_ms = localToUtc(b.check_in, b.check_in_time, b.time_zone);
  const steps: Step[] = [{ kind: 'confirm', at: iso(confirmed_ms), booking: b }];
  const fate = r.next();
  // a change of price after payment, before the stay (refund of the difference, or a balance due)
  const modifyRoom_ms = check_in_ms - 2 * DAY_MS - (confirmed_ms + 3600_000);
  const modify = b.paid && fate >= 0.35 && modifyRoom_ms > 0 && r.chance(0.3);
  if (modify) {
    const longer = r.chance(0.3);
    // Cheaper and dearer stays (a longer one is dearer): a dearer one is a balance due the guest pays
    // later (two findings fixed: the payout above its first charge, a balance payment lost to a kill).
    const factor = r.pick([0.7, 0.8, 0.9, 1.1, 1.25]);
    steps.push({ kind: 'modify', at: iso(confirmed_ms + 3600_000 + r.next() * modifyRoom_ms), booking_id: b.booking_id, nightly_total: Math.round((b.nightly_total * (longer ? Math.max(factor, 1.1) : factor)) / 100) * 100, ...(longer ? { check_out: addDays(b.check_out, 1) } : {}) });
  }
  if (fate < 0.35) steps.push({ kind: 'cancel', at: iso(cancelAt(r, confirmed_ms, check_in_ms)), booking_id: b.booking_id, by: r.chance(0.8) ? 'guest' : 'host' });
  else if (b.paid && fate < 0.9) {
    const checkin_ms = check_in_ms + r.int(0, 6 * 3600) * 1000;
    steps.push({ kind: 'checkin', at: iso(checkin_ms), booking_id: b.booking_id });
    if (r.chance(0.2)) steps.push({ kind: 'cancel', at: iso(checkin_ms + r.int(1, 48 * 3600) * 1000), booking_id: b.booking_id, by: 'guest' });
    steps.push({ kind: 'tick', at: iso(checkin_ms + r.pick([23 * 3600, 24 * 3600, 25 * 3600, 72 * 3600]) * 1000) });
    // a completed stay (loyalty credits), the morning after check-out
    const check_out = modify && steps.some((s) => s.kind === 'modify' && s.check_out) ? addDays(b.check_out, 1) : b.check_out;
    if (r.chance(0.6)) steps.push({ kind: 'complete', at: iso(localToUtc(check_out, '11:00', b.time_zone) + r.int(0, 3600) * 1000), booking_id: b.booking_id });
    if (r.chance(0.15)) {
      const opened_ms = checkin_ms + r.int(3, 20) * DAY_MS;
      steps.push({ kind: 'dispute', at: iso(opened_ms), booking_id: b.booking_id });
      steps.push({ kind: 'dispute_close', at: iso(opened_ms + r.int(2, 6) * DAY_MS), booking_id: b.booking_id, outcome: r.chance(0.5) ? 'lost' : 'won' });
    }
  }
  return steps;
};

/** The generators a history draws bookings from. Add a flow here (modifications, subscriptions …). */
const GENERATORS: Generator[] = [bookingLife];

const MONTHLY = ['price_1PgafmB7WZ01zgkW6dKueIc5', 'price_HostPlusMonthly'] as const;
/** The fake's month: the same day and time of the next month (Date.UTC carries an overflowing day on). */
const nextMonth = (ms: number) => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()); };

/**
 * One host's subscription life: signed up (monthly or annual, standard or offset dunning), renewed
 * at each period end for up to two months, a renewal's card declined now and then — paid within
 * the grace, after it (held, or offset from the next payout), after the 14 days, or never — a tick
 * just past the grace, a plan change between the monthly plans, and, last, maybe a cancellation
 * (payouts held from the end of the period on, payout_hold/standard).
 */
const subscriptionLife: HostGenerator = (r, host) => {
  const annual = r.chance(0.2);
  const subscribe: SubscriptionAction = { do: 'subscribe', price: annual ? 'price_HostProAnnual' : r.pick(MONTHLY), policy: r.chance(0.5) ? 'offset' : 'standard' };
  const start_ms = START_MS - r.int(0, 12) * DAY_MS + r.int(0, 86_399) * 1000;
  const steps: Step[] = [{ kind: 'subscription', at: iso(start_ms), host_id: host.host_id, action: subscribe }];
  const act = (at_ms: number, action: SubscriptionAction) => steps.push({ kind: 'subscription', at: iso(at_ms), host_id: host.host_id, action });
  let price = subscribe.price;
  let end_ms = annual ? Number.POSITIVE_INFINITY : nextMonth(start_ms);
  const until_ms = START_MS + r.int(30, 75) * DAY_MS;
  let from_ms = start_ms;
  while (end_ms < until_ms) {
    if (!annual && r.chance(0.25)) {
      const at = from_ms + r.int(1, Math.max(1, Math.floor((end_ms - from_ms) / 1000) - 1)) * 1000;
      price = price === MONTHLY[0] ? MONTHLY[1] : MONTHLY[0];
      act(at, { do: 'change_plan', price });
    }
    const renew_ms = end_ms + r.int(0, 3600) * 1000;
    const declined = r.chance(0.35);
    act(renew_ms, { do: 'renew', declined });
    if (declined) {
      // within the 7-day grace, past it (held or offset), past the 14 days (unbookable), or never
      const paid = r.pick([r.int(1, 6) * DAY_MS, r.int(8, 13) * DAY_MS, r.int(15, 20) * DAY_MS, null]);
      if (paid !== null) act(renew_ms + paid + r.int(0, 86_399) * 1000, { do: 'retry' });
      steps.push({ kind: 'tick', at: iso(renew_ms + 7 * DAY_MS + r.int(3600, 3 * 86_400) * 1000) });
    }
    from_ms = end_ms;
    end_ms = nextMonth(end_ms);
  }
  if (r.chance(0.2)) act(from_ms + r.int(3600, 20 * 86_400) * 1000, { do: 'cancel' });
  return steps;
};

/** Generators of a host's own life, each on its own PRNG stream: they leave the bookings a seed generates as they were. */
const HOST_GENERATORS: Array<{ stream: number; chance: number; generate: HostGenerator }> = [{ stream: 3, chance: 0.5, generate: subscriptionLife }];

export function generateHistory(seed: number, size: { bookings?: [number, number] } = {}): History {
  const r = rng(seed, 0);
  const hosts = Array.from({ length: r.int(1, 2) }, (_, i) => ({ host_id: `host_s${seed}_${i}`, account: `acct_1S${seed}H${i}` }));
  const ctx: Ctx = { r, seed, hosts };
  const [lo, hi] = size.bookings ?? [2, 4];
  const steps: Step[] = hosts.map((h) => ({ kind: 'host' as const, at: '2025-02-15T00:00:00Z', ...h }));
  const n = r.int(lo, hi);
  for (let i = 0; i < n; i++) steps.push(...r.pick(GENERATORS)(ctx, i));
  for (const g of HOST_GENERATORS) {
    const hr = rng(seed, g.stream);
    for (const h of hosts) if (hr.chance(g.chance)) steps.push(...g.generate(hr, h));
  }
  // a host's Connect account restricted (payouts held) and, later, restored (released at the next tick)
  if (r.chance(0.3)) {
    const h = r.pick(hosts);
    const from_ms = START_MS + r.int(0, 40) * DAY_MS + r.int(0, 86_399) * 1000;
    steps.push({ kind: 'account', at: iso(from_ms), host_id: h.host_id, account: h.account, restricted: true });
    steps.push({ kind: 'account', at: iso(from_ms + r.int(1, 12) * DAY_MS), host_id: h.host_id, account: h.account, restricted: false });
  }
  // clock ticks: a few at random, and one at the end when every stay is long over
  for (let i = r.int(0, 2); i > 0; i--) steps.push({ kind: 'tick', at: iso(START_MS + r.int(1, 80) * DAY_MS) });
  const last = Math.max(...steps.map((s) => Date.parse(s.at)));
  steps.push({ kind: 'tick', at: iso(last + 30 * DAY_MS) });
  // the booking engine sends in time order; the order among equal times is the generation order
  return { seed, steps: steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.at.localeCompare(b.s.at) || a.i - b.i).map((x) => x.s) };
}
