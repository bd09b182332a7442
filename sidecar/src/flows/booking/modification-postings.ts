import type { Db } from '../../db/connect.js';
import type { JournalLine } from '../ledger/index.js';
import { chart, type ChartAccount } from './chart.js';
import { line, post, type EventRef } from './postings.js';

/** Signed changes of what each booking liability holds, as the modification decision computed them. */
export type LiabilityDeltas = { host_share: number; platform_fees: number; taxes: number };

function deltaLines(b: { booking_id: string; currency: string }, d: LiabilityDeltas): { lines: Array<JournalLine | null>; accounts: ChartAccount[] } {
  const parts: Array<[ChartAccount, number]> = [
    [chart.hostShare(b.booking_id, b.currency), d.host_share],
    [chart.platformFees(b.booking_id, b.currency), d.platform_fees],
    [chart.bookingTaxes(b.booking_id, b.currency), d.taxes],
  ];
  // A liability that shrinks is debited, one that grows is credited.
  return { lines: parts.map(([a, n]) => (n < 0 ? line(a, 'D', -n) : line(a, 'C', n))), accounts: parts.map(([a]) => a) };
}

/**
 * A price decrease after payment (issue #12): the booking's liabilities move to the new split and
 * the difference becomes owed to the guest, until Stripe's refund settles it (flow 4's refund_paid).
 */
export function postModificationRefundDue(db: Db, b: { booking_id: string; currency: string }, x: { deltas: LiabilityDeltas; refund_to_guest: number }, ev: EventRef & { decision_id: string }) {
  const due = chart.refundDue(b.booking_id, b.currency);
  const { lines, accounts } = deltaLines(b, x.deltas);
  return post(db, {
    key: `modification:${ev.decision_id}`, kind: 'modification_refund_due', booking_id: b.booking_id, ev,
    description: `Booking ${b.booking_id} changed to a lower price: ${x.refund_to_guest} owed back to the guest`,
    accounts: [...accounts, due], lines: [...lines, line(due, 'C', x.refund_to_guest)],
  });
}

/** The guest's payment of a balance due after a price increase, split by the modification decision. */
export function postBalancePayment(db: Db, b: { booking_id: string; currency: string }, x: { payment_intent_id: string; amount_minor: number; deltas: LiabilityDeltas }, ev: EventRef & { decision_id: string }) {
  const bal = chart.stripeBalance(b.currency);
  const { lines, accounts } = deltaLines(b, x.deltas);
  return post(db, {
    key: `payment:${x.payment_intent_id}`, kind: 'balance_payment', booking_id: b.booking_id, ev,
    description: `Balance due of booking ${b.booking_id} paid (${x.payment_intent_id})`,
    accounts: [bal, ...accounts], lines: [line(bal, 'D', x.amount_minor), ...lines],
  });
}
