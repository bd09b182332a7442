import type { Db } from '../../db/connect.js';
import { readEntries, type JournalEntry } from '../ledger/index.js';
import { toInt } from '../../db/connect.js';

/** What happened to a booking's money, read off its journal entries (never stored as numbers). */
export type BookingMoney = {
  paid_minor: number;
  refunded_minor: number;
  refund_due_minor: number;
  host_paid_out_minor: number;
  host_recovered_minor: number;
  stripe_fee_minor: number;
  host_fee_minor: number;
  /** Transfers decided (an outbox intent) but not yet confirmed by Stripe: already the host's money. */
  transfer_in_flight_minor: number;
  entries: JournalEntry[];
};

function sumOn(e: JournalEntry, prefix: string, direction: 'D' | 'C'): number {
  return e.lines.filter((l) => l.account.startsWith(prefix) && l.direction === direction).reduce((s, l) => s + l.amount_minor, 0);
}

export async function bookingMoney(db: Db, booking_id: string): Promise<BookingMoney> {
  const entries = await readEntries(db, { booking_id });
  const m: BookingMoney = { paid_minor: 0, refunded_minor: 0, refund_due_minor: 0, host_paid_out_minor: 0, host_recovered_minor: 0, stripe_fee_minor: 0, host_fee_minor: 0, transfer_in_flight_minor: 0, entries };
  for (const e of entries) {
    switch (e.kind) {
      case 'payment_received':
      case 'balance_payment': // a later payment of a balance due after a price increase (issue #12)
        m.paid_minor += sumOn(e, 'platform:stripe_balance:', 'D');
        break;
      case 'refund_paid':
        m.refunded_minor += sumOn(e, 'platform:stripe_balance:', 'C');
        break;
      case 'cancellation_refund_due':
        m.refund_due_minor += sumOn(e, `booking:${booking_id}:refund_due:`, 'C');
        break;
      case 'host_transfer':
        m.host_paid_out_minor += sumOn(e, 'platform:stripe_balance:', 'C');
        break;
      case 'host_recovery':
        m.host_recovered_minor += sumOn(e, 'platform:stripe_balance:', 'D');
        break;
      case 'reversal': {
        // A correction: take back what the reversed entry counted (a refund that later failed).
        const reversed = entries.find((x) => x.seq === e.reverses_seq);
        if (reversed?.kind === 'refund_paid') m.refunded_minor -= sumOn(reversed, 'platform:stripe_balance:', 'C');
        break;
      }
      case 'stripe_fee':
        m.stripe_fee_minor += sumOn(e, 'platform:stripe_fees:', 'D');
        break;
    }
  }
  // Decided from the log alone (intents and entries), never from outbox attempts, so replay agrees.
  const confirmed = new Set(entries.filter((e) => e.kind === 'host_transfer').map((e) => e.meta.decision_id));
  const intents = await db('outbox_intents').where({ booking_id, operation: 'transfer' }).select('decision_id', 'params');
  for (const i of intents as Array<{ decision_id: string; params: string }>) {
    if (!confirmed.has(i.decision_id)) m.transfer_in_flight_minor += toInt((JSON.parse(i.params) as { amount: number }).amount);
  }
  return m;
}
