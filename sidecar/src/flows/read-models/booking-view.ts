import type { Db } from '../../db/connect.js';
import { bookingFlags, getBooking, stripeObjectsOfBooking, type BookingRecord } from '../booking/store.js';
import { bookingMoney, type BookingMoney } from '../booking/money-view.js';
import { latestHold } from '../booking/payout-store.js';
import { intentsWithStatus } from '../outbox/intents.js';
import { decisionsOfBooking } from '../evidence/decisions.js';
import { KIND } from '../vocabulary.js';

export type PriceLine = { code: 'nightly_total' | 'cleaning_fee' | 'guest_service_fee' | 'taxes'; label: string; amount_minor: number };

export function priceLines(b: BookingRecord): PriceLine[] {
  const f = b.facts;
  return [
    { code: 'nightly_total', label: 'Nights', amount_minor: f.nightly_total },
    { code: 'cleaning_fee', label: 'Cleaning fee', amount_minor: f.cleaning_fee },
    { code: 'guest_service_fee', label: 'Guest service fee', amount_minor: f.guest_service_fee },
    { code: 'taxes', label: 'Taxes', amount_minor: f.taxes },
  ];
}

/** What every list of bookings shows of one: who, when, its state, its price and the money moved. */
export function bookingSummary(b: BookingRecord, money: BookingMoney) {
  return {
    booking_id: b.booking_id,
    listing_id: b.facts.listing_id,
    host_id: b.host_id,
    state: b.state,
    currency: b.currency,
    check_in: b.facts.check_in,
    check_out: b.facts.check_out,
    check_in_time: b.facts.check_in_time,
    time_zone: b.facts.time_zone,
    confirmed_at: b.confirmed_at,
    total_minor: priceLines(b).reduce((s, l) => s + l.amount_minor, 0),
    paid_minor: money.paid_minor,
    refunded_minor: money.refunded_minor,
  };
}

export type NextStep = { action: string; due_at: string | null; held?: { code: string; reason: string } } | null;

/** The booking as a guest, host or admin sees it: state, price, money moved, what happens next. */
export type PayoutDue = (b: BookingRecord, money: BookingMoney) => Promise<string | null>;

export async function bookingView(db: Db, booking_id: string, nextPayoutAt: PayoutDue) {
  const b = await getBooking(db, booking_id);
  if (!b) return undefined;
  const money = await bookingMoney(db, booking_id);
  const lines = priceLines(b);
  const transferIntents = (await intentsWithStatus(db, { booking_id })).filter((i) => i.operation === 'transfer');
  const transfers = await stripeObjectsOfBooking(db, booking_id, 'transfer');
  const refunds = await stripeObjectsOfBooking(db, booking_id, 'refund');
  const hold = await latestHold(db, booking_id);
  const cancellation = b.policies.cancellation!;
  return {
    ...bookingSummary(b, money),
    guest_id: b.guest_id,
    rule: { policy: `cancellation/${cancellation.id}`, version: cancellation.version, hash: cancellation.hash },
    policies: b.policies,
    price_lines: lines,
    refund_pending_minor: Math.max(0, money.refund_due_minor - money.refunded_minor),
    balance_due_minor: await balanceDue(db, booking_id, money),
    fees: { host_fee_minor: money.host_fee_minor, stripe_fee_minor: money.stripe_fee_minor },
    transfers: transfers.map((t) => ({ id: t.object_id, amount_minor: Number(t.data.amount ?? 0), status: 'paid' })),
    pending_transfers: transferIntents.filter((i) => i.status !== 'succeeded').map((i) => ({ intent_id: i.intent_id, amount_minor: Number(i.params.amount), status: i.status })),
    refunds: refunds.map((r) => ({ id: r.object_id, amount_minor: Number(r.data.amount ?? 0) })),
    host_paid_out_minor: money.host_paid_out_minor - money.host_recovered_minor,
    flags: await bookingFlags(db, booking_id),
    next_step: await nextStep(b, hold, () => nextPayoutAt(b, money)),
    transitions: b.transitions.map((t) => ({ from: t.from_state, to: t.to_state, at: t.at })),
  };
}

async function nextStep(b: BookingRecord, hold: { code: string; reason: string } | undefined, payoutDue: () => Promise<string | null>): Promise<NextStep> {
  switch (b.state) {
    case 'awaiting_payment': return { action: 'guest_payment', due_at: null };
    case 'paid':
    case 'checked_in': {
      const due_at = await payoutDue();
      return { action: 'host_payout', due_at, ...(hold ? { held: { code: hold.code, reason: hold.reason } } : {}) };
    }
    case 'payout_pending': return { action: 'transfer_confirmation', due_at: null };
    case 'paid_out': return { action: 'stay_completion', due_at: null };
    case 'refund_pending': return { action: 'refund_confirmation', due_at: null };
    case 'refund_failed': return { action: 'refund_failed', due_at: null };
    default: return null;
  }
}

/** What price increases after payment (issue #12) still ask of the guest: decided balances not yet paid. */
async function balanceDue(db: Db, booking_id: string, money: BookingMoney): Promise<number> {
  const paid = new Set(money.entries.filter((e) => e.kind === KIND.balance_payment).map((e) => e.meta.decision_id));
  return (await decisionsOfBooking(db, booking_id))
    .filter((d) => d.action === 'modify' && d.allowed && !paid.has(d.decision_id))
    .reduce((sum, d) => sum + ((d.outcome as { outcome?: { balance_due?: number } }).outcome?.balance_due ?? 0), 0);
}
