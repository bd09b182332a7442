import { toInt, type Db } from '../../db/connect.js';
import { rawRows, tableWithIndex } from '../../db/dialect.js';
import { readEntriesBySeqs, type JournalEntry } from '../ledger/index.js';

/** The (occurred_at, booking_id, seq) index of journal_entries (migration 086). */
const ENTRIES_BY_TIME = 'journal_entries_occurred_at_booking';

/** Ids per IN list. */
const CHUNK = 500;

/** Entries per booking that make reading the period as cheap as reading the host's bookings (a guess: a payment, fees, a payout, a refund…). */
const ENTRIES_PER_BOOKING_GUESS = 8;

export type StatementBooking = { booking_id: string; currency: string; entries: JournalEntry[] };

/**
 * The host's bookings with entries dated in [from, to] (UTC dates, inclusive), in booking order
 * (inbox_id), each with those entries in seq order — what the statement lists, read in time that
 * does not grow with history (issue #11, item 4). Two ways to find them, and the cheaper one is taken:
 * - by period: the entries dated in the period, through the (occurred_at, booking_id, seq) index, then which of
 *   their bookings are the host's — O(entries in the period), whatever came before or after;
 * - by host: the host's bookings, then their entries in the period through the booking_id index —
 *   O(the host's bookings), for a wide period (the whole history, the default) or a small host.
 * Which: the period's entries are counted (index only, up to 50,000), then the host's bookings up to
 * an eighth of that; a host with at least that many bookings (≈ 8 entries per booking in the period
 * or fewer) is read by period. Both give the same rows (statement.test.ts checks them against each other).
 */
export async function statementEntries(db: Db, host_id: string, from: string, to: string, how?: 'period' | 'host'): Promise<StatementBooking[]> {
  const lo = from;
  // Stored instants are `YYYY-MM-DDTHH:MM:SS.sssZ`: every instant of the date `to` sorts below `${to}T99`.
  const hi = `${to}T99`;
  const way = how ?? (await statementWay(db, host_id, from, to));
  const picked = way === 'period' ? await byPeriod(db, host_id, lo, hi) : await byHost(db, host_id, lo, hi);
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

/** Which way statementEntries reads [from, to] for the host when not told. */
export async function statementWay(db: Db, host_id: string, from: string, to: string): Promise<'period' | 'host'> {
  // Both counts are bounded (LIMIT), so deciding costs no more than the cheaper read: the period's
  // entries up to PERIOD_COUNT_MAX, then the host's bookings only up to what the period would cost.
  const inPeriod = await countUpTo(db, `SELECT 1 AS one FROM ${tableWithIndex(db, 'journal_entries', ENTRIES_BY_TIME)} WHERE occurred_at >= ? AND occurred_at < ?`, [from, `${to}T99`], PERIOD_COUNT_MAX);
  if (inPeriod > PERIOD_COUNT_MAX) return 'host';
  const needed = Math.ceil(inPeriod / ENTRIES_PER_BOOKING_GUESS);
  const hostBookings = await countUpTo(db, 'SELECT 1 AS one FROM bookings WHERE host_id = ?', [host_id], needed);
  return inPeriod === 0 || hostBookings >= needed ? 'period' : 'host';
}

/** Beyond this many entries in the period the host's bookings are read instead. */
const PERIOD_COUNT_MAX = 50_000;

async function countUpTo(db: Db, select: string, bindings: unknown[], max: number): Promise<number> {
  const rows = await rawRows<{ n: unknown }>(db, `SELECT COUNT(*) AS n FROM (${select} LIMIT ${Math.floor(max) + 1}) AS counted`, bindings);
  return toInt(rows[0]?.n ?? 0);
}

async function byPeriod(db: Db, host_id: string, lo: string, hi: string): Promise<Picked> {
  const rows = await rawRows<{ seq: unknown; booking_id: string | null }>(db,
    `SELECT seq, booking_id FROM ${tableWithIndex(db, 'journal_entries', ENTRIES_BY_TIME)} WHERE occurred_at >= ? AND occurred_at < ?`, [lo, hi]);
  const ids = [...new Set(rows.map((r) => r.booking_id).filter((b): b is string => b !== null))];
  // By primary key, the host compared here: with the host in the WHERE clause the optimizer may walk
  // the host's index instead, every booking the host ever had (measured on MariaDB).
  const bookings: Booking[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    for (const r of await rawRows<{ booking_id: string; host_id: string; currency: string; inbox_id: unknown }>(db,
      `SELECT booking_id, host_id, currency, inbox_id FROM bookings WHERE booking_id IN (${chunk.map(() => '?').join(', ')})`, chunk)) {
      if (r.host_id === host_id) bookings.push(bookingOf(r));
    }
  }
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
