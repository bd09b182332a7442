import type { Db } from '../../db/connect.js';
import { readEntries, type JournalEntry } from '../ledger/index.js';

/** What happened to a booking's money, read off its journal entries (never stored as numbers). */
export type BookingMoney = {
  paid_minor: number;
  refunded_minor: number;
  refund_due_minor: number;
  host_paid_out_minor: number;
  host_recovered_minor: number;
  stripe_fee_minor: number;
  host_fee_minor: number;
  entries: JournalEntry[];
};

function sumOn(e: JournalEntry, prefix: string, direction: 'D' | 'C'): number {
  return e.lines.filter((l) => l.account.startsWith(prefix) && l.direction === direction).reduce((s, l) => s + l.amount_minor, 0);
}

export async function bookingMoney(db: Db, booking_id: string): Promise<BookingMoney> {
  const entries = await readEntries(db, { booking_id });
  const m: BookingMoney = { paid_minor: 0, refunded_minor: 0, refund_due_minor: 0, host_paid_out_minor: 0, host_recovered_minor: 0, stripe_fee_minor: 0, host_fee_minor: 0, entries };
  for (const e of entries) {
    switch (e.kind) {
      case 'payment_received':
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
      case 'stripe_fee':
        m.stripe_fee_minor += sumOn(e, 'platform:stripe_fees:', 'D');
        break;
    }
  }
  return m;
}
