import type { JournalLine } from '../ledger/index.js';
import { chart, KIND, type ChartAccount, type EntryKind } from '../vocabulary.js';
import type { EntryIntent, EventRef } from './entries.js';

/** Signed changes of what each booking liability holds, as the modification decision computed them. */
export type LiabilityDeltas = { host_share: number; platform_fees: number; taxes: number };

function line(a: ChartAccount, direction: 'D' | 'C', amount_minor: number): JournalLine | null {
  return amount_minor > 0 ? { account: a.code, unit: a.unit, direction, amount_minor } : null;
}

function deltaLines(b: { booking_id: string; currency: string }, d: LiabilityDeltas): { lines: Array<JournalLine | null>; accounts: ChartAccount[] } {
  const parts: Array<[ChartAccount, number]> = [
    [chart.hostShare(b.booking_id, b.currency), d.host_share],
    [chart.platformFees(b.booking_id, b.currency), d.platform_fees],
    [chart.bookingTaxes(b.booking_id, b.currency), d.taxes],
  ];
  // A liability that shrinks is debited, one that grows is credited.
  return { lines: parts.map(([a, n]) => (n < 0 ? line(a, 'D', -n) : line(a, 'C', n))), accounts: parts.map(([a]) => a) };
}

function intent(key: string, kind: EntryKind, booking_id: string, ev: EventRef, description: string, lines: Array<JournalLine | null>, accounts: ChartAccount[], meta: Record<string, unknown>): EntryIntent | null {
  const real = lines.filter((l): l is JournalLine => l !== null);
  if (real.length === 0) return null;
  return {
    request: { idempotency_key: key, kind, booking_id, occurred_at: ev.occurred_at, description, lines: real, meta: { event_id: ev.event_id, inbox_id: ev.inbox_id, ...(ev.decision_id ? { decision_id: ev.decision_id } : {}), ...meta } },
    accounts,
  };
}

/**
 * A price decrease after payment (issue #12): the booking's liabilities move to the new split and
 * the difference becomes owed to the guest, until Stripe's refund settles it (refund_paid).
 */
export function modificationRefundDueEntry(b: { booking_id: string; currency: string }, x: { deltas: LiabilityDeltas; host_fee_delta: number; refund_to_guest: number }, ev: EventRef & { decision_id: string }): EntryIntent | null {
  const due = chart.refundDue(b.booking_id, b.currency);
  const { lines, accounts } = deltaLines(b, x.deltas);
  return intent(`modification:${ev.decision_id}`, KIND.modification_refund_due, b.booking_id, ev,
    `Booking ${b.booking_id} changed to a lower price: ${x.refund_to_guest} owed back to the guest`,
    [...lines, line(due, 'C', x.refund_to_guest)], [...accounts, due], { host_fee_delta_minor: x.host_fee_delta });
}

/** The guest's payment of a balance due after a price increase, split by the modification decision. */
export function balancePaymentEntry(b: { booking_id: string; currency: string }, x: { payment_intent_id: string; amount_minor: number; deltas: LiabilityDeltas; host_fee_delta: number }, ev: EventRef & { decision_id: string }): EntryIntent | null {
  const bal = chart.stripeBalance(b.currency);
  const { lines, accounts } = deltaLines(b, x.deltas);
  return intent(`payment:${x.payment_intent_id}`, KIND.balance_payment, b.booking_id, ev,
    `Balance due of booking ${b.booking_id} paid (${x.payment_intent_id})`,
    [line(bal, 'D', x.amount_minor), ...lines], [bal, ...accounts], { host_fee_delta_minor: x.host_fee_delta });
}
