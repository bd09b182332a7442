import type { Db } from '../../db/connect.js';
import { getBooking } from '../booking/store.js';
import { bookingMoney } from '../booking/money-view.js';
import { decisionsOfBooking } from '../evidence/decisions.js';
import { priceLines } from './booking-view.js';

type Outcome = { refund_to_guest: number; credit_to_guest: number; lines: Record<string, number> };

/** What the guest paid and got back, line by line, tied to the decision that refunded it. */
export async function receipt(db: Db, booking_id: string) {
  const b = await getBooking(db, booking_id);
  if (!b) return undefined;
  const money = await bookingMoney(db, booking_id);
  const lines: Array<{ label: string; amount_minor: number; kind: 'charge' | 'refund' | 'credit'; code: string; unit?: string }> = [];
  if (money.paid_minor > 0) {
    const listed = priceLines(b);
    const discount = listed.reduce((s, l) => s + l.amount_minor, 0) - money.paid_minor;
    for (const l of listed) {
      const redeemed = l.code === 'guest_service_fee' && b.facts.credits_redeemed ? discount : 0;
      lines.push({ label: redeemed > 0 ? `${l.label} (after ${b.facts.credits_redeemed} loyalty credits)` : l.label, amount_minor: l.amount_minor - redeemed, kind: 'charge', code: l.code });
    }
  }
  const cancel = (await decisionsOfBooking(db, booking_id)).find((d) => d.action.startsWith('cancel_by_') && d.allowed);
  let credits_granted = 0;
  let cancellation = null;
  if (cancel) {
    const o = (cancel.outcome as { outcome: Outcome }).outcome;
    const refundLabels: Array<[string, string]> = [['nightly_refund', 'Refund: nights'], ['cleaning_refund', 'Refund: cleaning fee'], ['service_fee_refund', 'Refund: guest service fee'], ['taxes_refund', 'Refund: taxes']];
    if (money.paid_minor > 0) for (const [code, label] of refundLabels) if ((o.lines[code] ?? 0) > 0) lines.push({ label, amount_minor: o.lines[code]!, kind: 'refund', code });
    credits_granted = o.credit_to_guest;
    // Credits are counted in their own non-cash unit, never in the currency.
    if (credits_granted > 0) lines.push({ label: 'Loyalty credits (non-cash)', amount_minor: credits_granted, kind: 'credit', code: 'credit_to_guest', unit: 'CREDIT' });
    cancellation = { decision_id: cancel.decision_id, rule: { policy: cancel.policy, version: cancel.policy_version, hash: cancel.policy_hash }, outcome_hash: cancel.outcome_hash, consent_hash: cancel.consent_hash, refund_to_guest: money.paid_minor > 0 ? o.refund_to_guest : 0, credit_to_guest: o.credit_to_guest, evaluated_at: cancel.evaluated_at };
  }
  return {
    booking_id, guest_id: b.guest_id, currency: b.currency, state: b.state,
    lines: lines.map((l) => ({ ...l, unit: l.unit ?? b.currency })),
    paid_minor: money.paid_minor,
    refunded_minor: money.refunded_minor,
    refund_pending_minor: Math.max(0, money.refund_due_minor - money.refunded_minor),
    net_paid_minor: money.paid_minor - money.refunded_minor,
    credits_granted,
    cancellation,
  };
}
