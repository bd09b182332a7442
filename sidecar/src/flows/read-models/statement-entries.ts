import { toInt, type Db } from '../../db/connect.js';
import { rawRows, tableWithIndex } from '../../db/dialect.js';
import { readEntriesBySeqs, type JournalEntry } from '../ledger/index.js';

/** The (occurred_at, booking_id, seq) index of journal_entries (migration 086). */
const ENTRIES_BY_TIME = 'journal_entries_occurred_at_booking';

/** Ids per IN list. */
const CHUNK = 500;

export type StatementBooking = { booking_id: string; currency: string; entries: JournalEntry[] };

/** How statementEntries finds the entries: the host index (the default), or the two reads it replaced (kept as cross-checks: all three give the same rows). */
export type StatementWay = 'index' | 'period' | 'host';

/**
 * The host's bookings with entries dated in [from, to] (UTC dates, inclusive), in booking order
 * (inbox_id), each with those entries in seq order — what the statement lists, read in time that
 * does not grow with history (issue #11, item 10):
 * - index (default): the host's entries in the period through host_entries' primary key
 *   (host_id, occurred_at, seq; migration 087, written by postEntries) — O(the host's entries in
 *   the period), whatever the host's history or the rest of the ledger;
 * - period: the entries dated in the period ledger-wide, through the (occurred_at, booking_id, seq)
 *   index, then which of their bookings are the host's — O(all entries in the period);
 * - host: the host's bookings, then their entries in the period — O(the host's bookings).
 * All three give the same rows (statement.test.ts checks them against each other).
 */
export async function statementEntries(db: Db, host_id: string, from: string, to: string, how: StatementWay = 'index'): Promise<StatementBooking[]> {
  const lo = from;
  // Stored instants are `YYYY-MM-DDTHH:MM:SS.sssZ`: every instant of the date `to` sorts below `${to}T99`.
  const hi = `${to}T99`;
  const picked = how === 'index' ? await byIndex(db, host_id, lo, hi) : how === 'period' ? await byPeriod(db, host_id, lo, hi) : await byHost(db, host_id, lo, hi);
  const entries = await readEntriesBySeqs(db, picked.seqs);
  const byBooking = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    let list = byBooking.get(e.booking_id!);
    if (!list) byBooking.set(e.booking_id!, (list = []));
    list.push(e);
  }
  return picked.bookings
    .filter((b) => byBooking.has(b.booking_id))
    .map((b) => ({ booking_id: b.booking_id, currency: b.currency, entries: byBooking.get(b.booking_id)! }));
}

type Booking = { booking_id: string; currency: string; inbox_id: number };
type Picked = { bookings: Booking[]; seqs: number[] };

async function byIndex(db: Db, host_id: string, lo: string, hi: string): Promise<Picked> {
  const rows = await rawRows<{ seq: unknown; booking_id: string }>(db,
    'SELECT seq, booking_id FROM host_entries WHERE host_id = ? AND occurred_at >= ? AND occurred_at < ?', [host_id, lo, hi]);
  const bookings = await bookingsByKey(db, [...new Set(rows.map((r) => r.booking_id))]);
  return { bookings: inBookingOrder(bookings.filter((b) => b.host_id === host_id)), seqs: rows.map((r) => toInt(r.seq)) };
}

/** Bookings by primary key (currency and order for the statement), CHUNK ids per statement. */
async function bookingsByKey(db: Db, ids: string[]): Promise<Array<Booking & { host_id: string }>> {
  const out: Array<Booking & { host_id: string }> = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    for (const r of await rawRows<{ booking_id: string; host_id: string; currency: string; inbox_id: unknown }>(db,
      `SELECT booking_id, host_id, currency, inbox_id FROM bookings WHERE booking_id IN (${chunk.map(() => '?').join(', ')})`, chunk)) {
      out.push({ ...bookingOf(r), host_id: r.host_id });
    }
  }
  return out;
}

async function byPeriod(db: Db, host_id: string, lo: string, hi: string): Promise<Picked> {
  const rows = await rawRows<{ seq: unknown; booking_id: string | null }>(db,
    `SELECT seq, booking_id FROM ${tableWithIndex(db, 'journal_entries', ENTRIES_BY_TIME)} WHERE occurred_at >= ? AND occurred_at < ?`, [lo, hi]);
  const ids = [...new Set(rows.map((r) => r.booking_id).filter((b): b is string => b !== null))];
  // By primary key, the host compared here: with the host in the WHERE clause the optimizer may walk
  // the host's index instead, every booking the host ever had (measured on MariaDB).
  const bookings: Booking[] = (await bookingsByKey(db, ids)).filter((b) => b.host_id === host_id);
  const mine = new Set(bookings.map((b) => b.booking_id));
  return { bookings: inBookingOrder(bookings), seqs: rows.filter((r) => r.booking_id !== null && mine.has(r.booking_id)).map((r) => toInt(r.seq)) };
}

async function byHost(db: Db, host_id: string, lo: string, hi: string): Promise<Picked> {
  const bookings = (await rawRows<{ booking_id: string; currency: string; inbox_id: unknown }>(db,
    'SELECT booking_id, currency, inbox_id FROM bookings WHERE host_id = ?', [host_id])).map(bookingOf);
  const seqs: number[] = [];
  const ids = bookings.map((b) => b.booking_id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    for (const r of await rawRows<{ seq: unknown }>(db,
      `SELECT seq FROM journal_entries WHERE booking_id IN (${chunk.map(() => '?').join(', ')}) AND occurred_at >= ? AND occurred_at < ?`, [...chunk, lo, hi])) seqs.push(toInt(r.seq));
  }
  return { bookings: inBookingOrder(bookings), seqs };
}

const bookingOf = (r: { booking_id: string; currency: string; inbox_id: unknown }): Booking => ({ booking_id: r.booking_id, currency: r.currency, inbox_id: toInt(r.inbox_id) });
const inBookingOrder = (bs: Booking[]) => bs.sort((a, b) => a.inbox_id - b.inbox_id || (a.booking_id < b.booking_id ? -1 : a.booking_id > b.booking_id ? 1 : 0));
