import { toInt, type Db } from '../../db/connect.js';
import { rawRows } from '../../db/dialect.js';
import type { VerifyProblem } from './check-entry.js';

/**
 * The host index (host_entries, migration 087) against what it indexes, for the entries after
 * `after` up to `head`: every entry of a stored booking has exactly its row (the booking's host, the
 * entry's time and booking), and no row names an entry or booking that is not there. The index is
 * not hashed into the chain (it is derived), so this is what stands behind it: a forged row would
 * put another host's entry on a statement, a missing one would leave an entry off.
 * Two statements over index ranges of seq: proportional to the entries checked.
 */
export async function hostIndexProblem(db: Db, after: number, head: number): Promise<VerifyProblem | null> {
  const [missing] = await rawRows<{ s: unknown; n: unknown }>(db,
    // Outer joins only, and a condition that keeps them outer: the entries' seq range drives the read
    // (an inner join to bookings would let MariaDB start from every booking).
    `SELECT MIN(e.seq) AS s, COUNT(*) AS n FROM journal_entries e LEFT JOIN bookings b ON b.booking_id = e.booking_id
     LEFT JOIN host_entries h ON h.seq = e.seq
     WHERE e.seq > ? AND e.seq <= ?
       AND ((h.seq IS NULL AND b.booking_id IS NOT NULL)
         OR (h.seq IS NOT NULL AND (b.booking_id IS NULL OR h.host_id <> b.host_id OR h.occurred_at <> e.occurred_at OR h.booking_id <> e.booking_id)))`, [after, head]);
  const [forged] = await rawRows<{ s: unknown; n: unknown }>(db,
    `SELECT MIN(h.seq) AS s, COUNT(*) AS n FROM host_entries h LEFT JOIN journal_entries e ON e.seq = h.seq LEFT JOIN bookings b ON b.booking_id = e.booking_id
     WHERE h.seq > ? AND (e.seq IS NULL OR b.booking_id IS NULL)`, [after]);
  const m = toInt(missing?.n ?? 0);
  const f = toInt(forged?.n ?? 0);
  if (m === 0 && f === 0) return null;
  const seq = Math.min(m > 0 ? toInt(missing!.s) : Infinity, f > 0 ? toInt(forged!.s) : Infinity);
  const what = [m > 0 ? `${m} entr${m === 1 ? 'y' : 'ies'} of a booking without their host row (or with a wrong one), from seq ${toInt(missing!.s)}` : '',
    f > 0 ? `${f} host row(s) naming no stored entry or booking, from seq ${toInt(forged!.s)}` : ''].filter(Boolean).join('; ');
  return { seq, problem: 'host_index_mismatch', detail: what };
}
