import { heldIn, postEntryIntent } from '../../flows/booking/postings.js';
import { transferEntry, type EventRef } from '../../flows/booking/entries.js';
import { chart } from '../../flows/vocabulary.js';
import type { Trx } from '../context.js';

/**
 * Posts a transfer to the host (or an offset of what the host owes): the booking's fees and taxes
 * still held are recognised with it, as read here, so the entry builder only writes amounts.
 */
export async function postHostTransfer(db: Trx, b: { booking_id: string; host_id: string; currency: string }, x: { transfer_id: string; amount_minor: number; deduction_minor: number }, ev: EventRef) {
  const [fees, taxes] = [await heldIn(db, chart.platformFees(b.booking_id, b.currency)), await heldIn(db, chart.bookingTaxes(b.booking_id, b.currency))];
  return postEntryIntent(db, transferEntry(b, { ...x, fees_recognised: Math.max(0, fees), taxes_recognised: Math.max(0, taxes) }, ev));
}
