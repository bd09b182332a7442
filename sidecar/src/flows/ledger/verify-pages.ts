import { toInt, type Db } from '../../db/connect.js';
import { arrayRowReader } from '../../db/dialect.js';

/**
 * verifyLedger's reading and checking, page by page, on plain arrays. A page is a run of entries
 * in seq order with their lines, read as arrays of column values (no knex query building and no
 * row objects: on the bench that halved the cost of reading). A page is checked from the seq and
 * hash the entry before it carries, so pages can be checked anywhere (in worker threads) and the
 * first bad entry is still the first in seq order.
 */

/** Entry columns in the order the page arrays hold them. */
const ENTRY_SQL_COLUMNS = 'seq, idempotency_key, content_hash, kind, booking_id, occurred_at, description, reverses_seq, meta, prev_hash, entry_hash';
const LINE_SQL_COLUMNS = 'entry_seq, account_code, unit, direction, amount_minor';

import type { Page } from './verify-page-check.js';

export { checkPage, type Page, type PageVerdict } from './verify-page-check.js';

/** A page as read: the entries and lines, and the balance checkpoints taken at those entries (checked on the reading thread). */
export type PageRead = Page & { checkpoints: unknown[][] };

/** Reads pages of `pageSize` entries after a seq, as array rows. */
export type PageReader = { read: (afterSeq: number) => Promise<PageRead>; close: () => Promise<void> };

export async function openPageReader(db: Db, pageSize: number, withCheckpoints = true): Promise<PageReader> {
  const entriesSql = `SELECT ${ENTRY_SQL_COLUMNS} FROM journal_entries WHERE seq > ? ORDER BY seq LIMIT ${Number(pageSize)}`;
  const linesSql = `SELECT ${LINE_SQL_COLUMNS} FROM journal_lines WHERE entry_seq BETWEEN ? AND ? ORDER BY entry_seq, line_no`;
  const checkpointsSql = 'SELECT account_code, seq, line_count, debits_minor, credits_minor FROM balance_checkpoints WHERE seq BETWEEN ? AND ? ORDER BY seq, account_code';
  const rows = arrayRowReader(db);
  // A page: its entries, then the lines of exactly those entries (a contiguous seq range).
  return {
    read: async (afterSeq) => {
      const entries = await rows(entriesSql, [afterSeq]);
      if (entries.length === 0) return { entries, lines: [], checkpoints: [] };
      const range = [entries[0]![0], entries[entries.length - 1]![0]];
      return { entries, lines: await rows(linesSql, range), checkpoints: withCheckpoints ? await rows(checkpointsSql, range) : [] };
    },
    close: async () => undefined,
  };
}
