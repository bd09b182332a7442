import { toInt, type Db } from '../../db/connect.js';
import type { Direction, EntryKind, JournalEntry, JournalLine } from './types.js';
import { normalizeInstant } from './entry-checks.js';

export type EntryRow = {
  seq: number | string; idempotency_key: string; content_hash: string; kind: string; booking_id: string | null;
  occurred_at: string; description: string; reverses_seq: number | string | null; meta: string; prev_hash: string; entry_hash: string;
};
export type LineRow = { entry_seq: number | string; line_no: number; account_code: string; unit: string; direction: string; amount_minor: number | string };

export function entryFromRows(row: EntryRow, lines: LineRow[]): JournalEntry {
  return {
    seq: toInt(row.seq),
    idempotency_key: row.idempotency_key,
    content_hash: row.content_hash,
    // Only kinds of the vocabulary were ever posted (postEntry takes an EntryKind); verify checks the hashes.
    kind: row.kind as EntryKind,
    booking_id: row.booking_id,
    occurred_at: row.occurred_at,
    description: row.description,
    reverses_seq: row.reverses_seq === null ? null : toInt(row.reverses_seq),
    meta: JSON.parse(row.meta) as Record<string, unknown>,
    lines: lines
      .sort((a, b) => a.line_no - b.line_no)
      .map((l): JournalLine => ({ account: l.account_code, unit: l.unit, direction: l.direction as Direction, amount_minor: toInt(l.amount_minor) })),
    prev_hash: row.prev_hash,
    entry_hash: row.entry_hash,
  };
}

export async function readEntry(db: Db, by: { seq: number } | { idempotency_key: string }): Promise<JournalEntry | undefined> {
  const row = (await db('journal_entries').where(by).first()) as EntryRow | undefined;
  if (!row) return undefined;
  const lines = (await db('journal_lines').where({ entry_seq: row.seq })) as LineRow[];
  return entryFromRows(row, lines);
}

/** The entries posted under these idempotency keys (those that exist), by key: two statements whatever the count. */
export async function readEntriesByKeys(db: Db, keys: string[]): Promise<Map<string, JournalEntry>> {
  const out = new Map<string, JournalEntry>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = (await db('journal_entries').whereIn('idempotency_key', unique.slice(i, i + 500))) as EntryRow[];
    if (rows.length === 0) continue;
    const lineRows = (await db('journal_lines').whereIn('entry_seq', rows.map((r) => toInt(r.seq)))) as LineRow[];
    const bySeq = linesBySeq(lineRows);
    for (const r of rows) out.set(r.idempotency_key, entryFromRows(r, bySeq.get(toInt(r.seq)) ?? []));
  }
  return out;
}

/**
 * The keys of the entries dated in [from, to) — half-open, as Stripe's `created` filter is. Entries
 * store occurred_at as toISOString() ('…T00:00:00.000Z'), and a bound written '…T00:00:00Z' sorts
 * after that as text (an entry at exactly `to` counted in, one at exactly `from` left out: found by
 * the simulation, seed 109), so both bounds are first written the way occurred_at is stored.
 */
export async function entryKeysDatedIn(db: Db, period: { from: string; to: string }): Promise<string[]> {
  const rows = (await db('journal_entries').where('occurred_at', '>=', normalizeInstant(period.from)).andWhere('occurred_at', '<', normalizeInstant(period.to)).select('idempotency_key')) as Array<{ idempotency_key: string }>;
  return rows.map((r) => r.idempotency_key);
}

/** Entries in seq order, lines attached; `fromSeq` exclusive, at most `limit`. */
export async function readEntries(db: Db, opts: { fromSeq?: number; limit?: number; booking_id?: string } = {}): Promise<JournalEntry[]> {
  let q = db('journal_entries').orderBy('seq', 'asc');
  if (opts.fromSeq !== undefined) q = q.where('seq', '>', opts.fromSeq);
  if (opts.booking_id !== undefined) q = q.where('booking_id', opts.booking_id);
  if (opts.limit !== undefined) q = q.limit(opts.limit);
  const rows = (await q) as EntryRow[];
  if (rows.length === 0) return [];
  const seqs = rows.map((r) => toInt(r.seq));
  // Without a booking filter the page is a contiguous run of seqs: a range scan beats a long IN list.
  const lineRows = (opts.booking_id === undefined
    ? await db('journal_lines').whereBetween('entry_seq', [seqs[0]!, seqs[seqs.length - 1]!])
    : await db('journal_lines').whereIn('entry_seq', seqs)) as LineRow[];
  const bySeq = new Map<number, LineRow[]>();
  for (const l of lineRows) {
    const k = toInt(l.entry_seq);
    let list = bySeq.get(k);
    if (!list) bySeq.set(k, (list = []));
    list.push(l);
  }
  return rows.map((r) => entryFromRows(r, bySeq.get(toInt(r.seq)) ?? []));
}

/** Calls `fn` for every entry in seq order, in pages, so memory stays flat on large ledgers. */
export async function forEachEntry(db: Db, fn: (e: JournalEntry) => void | Promise<void>, pageSize = 5000): Promise<number> {
  let count = 0;
  let page = await readEntries(db, { limit: pageSize });
  while (page.length > 0) {
    // Ask for the next page before working through this one: on MySQL the server reads while we hash.
    const next = readEntries(db, { fromSeq: page[page.length - 1]!.seq, limit: pageSize });
    next.catch(() => undefined); // if fn throws below, the prefetch's own failure must not go unhandled
    for (const e of page) {
      const done = fn(e);
      if (done) await done;
      count++;
    }
    page = await next;
  }
  return count;
}

export async function headSeq(db: Db): Promise<{ seq: number; entry_hash: string | null }> {
  const row = await db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
  return row ? { seq: toInt(row.seq), entry_hash: row.entry_hash } : { seq: 0, entry_hash: null };
}

/** The entries with these seqs (those that exist), lines attached, in seq order: two statements per 500 seqs. */
export async function readEntriesBySeqs(db: Db, seqs: readonly number[]): Promise<JournalEntry[]> {
  const unique = [...new Set(seqs)].sort((a, b) => a - b);
  const out: JournalEntry[] = [];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = (await db('journal_entries').whereIn('seq', chunk).orderBy('seq', 'asc')) as EntryRow[];
    if (rows.length === 0) continue;
    const lineRows = (await db('journal_lines').whereIn('entry_seq', chunk)) as LineRow[];
    const bySeq = linesBySeq(lineRows);
    for (const r of rows) out.push(entryFromRows(r, bySeq.get(toInt(r.seq)) ?? []));
  }
  return out;
}

/** Lines grouped by their entry's seq. */
function linesBySeq(lineRows: readonly LineRow[]): Map<number, LineRow[]> {
  const bySeq = new Map<number, LineRow[]>();
  for (const l of lineRows) {
    const k = toInt(l.entry_seq);
    let list = bySeq.get(k);
    if (!list) bySeq.set(k, (list = []));
    list.push(l);
  }
  return bySeq;
}
