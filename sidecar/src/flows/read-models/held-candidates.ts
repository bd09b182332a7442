import { toInt, type Db } from '../../db/connect.js';
import { rawRows } from '../../db/dialect.js';
import { KIND } from '../vocabulary.js';
import { latestHold } from '../booking/payout-store.js';

export type HostHold = { booking_id: string; currency: string; inbox_id: number; hold: { code: string; reason: string; inbox_id: number } };

/** Ids per IN list. */
const CHUNK = 500;

/**
 * The host's bookings that await their payout (paid, no transfer intent, no transfer entry — the
 * same three conditions as payout-store's bookingsAwaitingPayout) and have a payout hold, in booking
 * order, each with its latest hold. It starts from the bookings ever held, not from every booking awaiting a
 * payout: holds are few, while bookings awaiting payout include every future stay (a scan of them
 * all grew with history and ran twice per statement).
 */
export async function hostBookingsWithHolds(db: Db, host_id: string): Promise<HostHold[]> {
  // Every booking ever held (holds are rare: a new payout account held by policy), then which are the host's.
  const everHeld = (await rawRows<{ booking_id: string }>(db, 'SELECT DISTINCT booking_id FROM payout_holds')).map((r) => r.booking_id);
  // By primary key, the host compared here (with host_id in the WHERE clause MariaDB walks the host's index: every booking they ever had).
  const held: Array<{ booking_id: string; currency: string; inbox_id: unknown }> = [];
  for (let i = 0; i < everHeld.length; i += CHUNK) {
    const chunk = everHeld.slice(i, i + CHUNK);
    for (const r of await rawRows<{ booking_id: string; host_id: string; currency: string; inbox_id: unknown }>(db,
      `SELECT booking_id, host_id, currency, inbox_id FROM bookings WHERE booking_id IN (${chunk.map(() => '?').join(', ')})`, chunk)) {
      if (r.host_id === host_id) held.push(r);
    }
  }
  held.sort((a, b) => toInt(a.inbox_id) - toInt(b.inbox_id));
  const out: HostHold[] = [];
  for (let i = 0; i < held.length; i += CHUNK) {
    const chunk = held.slice(i, i + CHUNK);
    const ids = chunk.map((b) => b.booking_id);
    const marks = ids.map(() => '?').join(', ');
    const awaiting = new Set((await rawRows<{ booking_id: string }>(db,
      `SELECT b.booking_id FROM bookings b WHERE b.booking_id IN (${marks})`
      + ' AND EXISTS (SELECT 1 FROM journal_entries e WHERE e.booking_id = b.booking_id AND e.kind = ?)'
      + " AND NOT EXISTS (SELECT 1 FROM outbox_intents i WHERE i.booking_id = b.booking_id AND i.operation = 'transfer')"
      + ' AND NOT EXISTS (SELECT 1 FROM journal_entries t WHERE t.booking_id = b.booking_id AND t.kind = ?)',
      [...ids, KIND.payment_received, KIND.host_transfer])).map((r) => r.booking_id));
    for (const b of chunk) {
      if (!awaiting.has(b.booking_id)) continue;
      const hold = await latestHold(db, b.booking_id);
      if (hold) out.push({ booking_id: b.booking_id, currency: b.currency, inbox_id: toInt(b.inbox_id), hold });
    }
  }
  return out;
}
