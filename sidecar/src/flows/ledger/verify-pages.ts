import { dialectOf, toInt, type Db } from '../../db/connect.js';

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

/** Reads pages of `pageSize` entries after a seq, as array rows. */
export type PageReader = { read: (afterSeq: number) => Promise<Page>; close: () => Promise<void> };

export async function openPageReader(db: Db, pageSize: number): Promise<PageReader> {
  // A page: its entries, then the lines of exactly those entries (a contiguous seq range).
  const readerOver = (rows: (sql: string, bindings: unknown[]) => Promise<unknown[][]>): PageReader => ({
    read: async (afterSeq) => {
      const entries = await rows(entriesSql, [afterSeq]);
      if (entries.length === 0) return { entries, lines: [] };
      return { entries, lines: await rows(linesSql, [entries[0]![0], entries[entries.length - 1]![0]]) };
    },
    close: async () => undefined,
  });
  const entriesSql = `SELECT ${ENTRY_SQL_COLUMNS} FROM journal_entries WHERE seq > ? ORDER BY seq LIMIT ${Number(pageSize)}`;
  const linesSql = `SELECT ${LINE_SQL_COLUMNS} FROM journal_lines WHERE entry_seq BETWEEN ? AND ? ORDER BY entry_seq, line_no`;
  if (dialectOf(db) === 'mysql') {
    const rows = async (sql: string, bindings: unknown[]) => {
      const [result] = (await db.raw(sql, bindings as never).options({ rowsAsArray: true })) as unknown as [unknown[][]];
      return result;
    };
    return readerOver(rows);
  }
  // better-sqlite3 underneath knex: statements prepared once per connection, rows as arrays.
  type Statement = { raw: (on: boolean) => Statement; all: (...args: unknown[]) => unknown[][] };
  type Connection = { prepare: (sql: string) => Statement };
  const client = db.client as { acquireConnection: () => Promise<Connection>; releaseConnection: (c: Connection) => Promise<void> };
  if (db.isTransaction) {
    // Inside a transaction the pool's one connection is the transaction's: read through knex instead.
    const rows = async (sql: string, bindings: unknown[]) => ((await db.raw(sql, bindings as never)) as Array<Record<string, unknown>>).map((r) => Object.values(r));
    return readerOver(rows);
  }
  // The connection is taken per page, not for the run: the pool has one, and others may need it between pages.
  const prepared = new WeakMap<Connection, [Statement, Statement]>();
  return {
    read: async (afterSeq) => {
      const conn = await client.acquireConnection();
      try {
        let stmts = prepared.get(conn);
        if (!stmts) prepared.set(conn, (stmts = [conn.prepare(entriesSql).raw(true), conn.prepare(linesSql).raw(true)]));
        const entries = stmts[0].all(afterSeq);
        if (entries.length === 0) return { entries, lines: [] };
        return { entries, lines: stmts[1].all(entries[0]![0], entries[entries.length - 1]![0]) };
      } finally {
        await client.releaseConnection(conn);
      }
    },
    close: async () => undefined,
  };
}
