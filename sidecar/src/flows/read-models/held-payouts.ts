import type { Db } from '../../db/connect.js';
import { bookingsAwaitingPayout, latestHold } from '../booking/payout-store.js';
import { chart } from '../vocabulary.js';
import { heldIn } from '../booking/postings.js';

export type HeldPayout = { booking_id: string; currency: string; amount_minor: number; code: string; reason: string; held_by_inbox_id: number };

/**
 * A host's payouts that are due but held (no connected account, a payout hold, a restricted Connect
 * account), with the reason: what the statement shows until the hold is released and the payout made.
 */
export async function heldPayoutsOf(db: Db, host_id: string): Promise<HeldPayout[]> {
  const mine = new Map(((await db('bookings').where({ host_id }).select('booking_id', 'currency')) as Array<{ booking_id: string; currency: string }>).map((b) => [b.booking_id, b.currency]));
  const out: HeldPayout[] = [];
  for (const booking_id of await bookingsAwaitingPayout(db)) {
    const currency = mine.get(booking_id);
    if (!currency) continue;
    const hold = await latestHold(db, booking_id);
    if (!hold) continue;
    out.push({ booking_id, currency, amount_minor: await heldIn(db, chart.hostShare(booking_id, currency)), code: hold.code, reason: hold.reason, held_by_inbox_id: hold.inbox_id });
  }
  return out;
}
