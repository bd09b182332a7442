import type { Db } from './connect.js';
import { dialectOf } from './connect.js';

/**
 * The SQL dialect differences the rest of the code needs, in one place (DEVELOPERS.md: "SQL
 * dialect differences only in db/"). Callers write portable SQL and ask these for the rest.
 */

/** The rows of a raw SELECT: mysql2 answers `[rows, fields]`, better-sqlite3 the rows. */
export async function rawRows<Row>(db: Db, sql: string, bindings: readonly unknown[] = []): Promise<Row[]> {
  const result = (await db.raw(sql, bindings as never)) as unknown;
  return (dialectOf(db) === 'mysql' ? (result as [Row[]])[0] : result) as Row[];
}

/** A table or column name quoted for this dialect. */
export function quoteIdent(db: Db, name: string): string {
  return dialectOf(db) === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

/** `INSERT INTO`, or the dialect's insert that skips rows whose unique key is taken. */
export function insertVerb(db: Db, ignoreDuplicates = false): string {
  if (!ignoreDuplicates) return 'INSERT INTO';
  return dialectOf(db) === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
}

type Statement = { raw: (on: boolean) => Statement; all: (...args: unknown[]) => unknown[][] };
type SqliteConnection = { prepare: (sql: string) => Statement; prepareUncached?: (sql: string) => Statement };

/**
 * A reader of raw SELECTs answering rows as arrays (no per-row objects), for long scans such as
 * verify. MySQL: `rowsAsArray`. SQLite outside a transaction: statements prepared once per
 * connection and the connection taken per call (the pool has one; others may need it between
 * calls). Inside a transaction the transaction's connection is used through knex.
 */
export function arrayRowReader(db: Db): (sql: string, bindings: unknown[]) => Promise<unknown[][]> {
  if (dialectOf(db) === 'mysql') {
    return async (sql, bindings) => {
      const [result] = (await db.raw(sql, bindings as never).options({ rowsAsArray: true })) as unknown as [unknown[][]];
      return result;
    };
  }
  if (db.isTransaction) {
    return async (sql, bindings) => ((await db.raw(sql, bindings as never)) as Array<Record<string, unknown>>).map((r) => Object.values(r));
  }
  const client = db.client as { acquireConnection: () => Promise<SqliteConnection>; releaseConnection: (c: SqliteConnection) => Promise<void> };
  const prepared = new WeakMap<SqliteConnection, Map<string, Statement>>();
  return async (sql, bindings) => {
    const conn = await client.acquireConnection();
    try {
      let stmts = prepared.get(conn);
      if (!stmts) prepared.set(conn, (stmts = new Map()));
      let stmt = stmts.get(sql);
      // Its own statement (raw rows), never the one the connection's cache shares with knex.
      if (!stmt) stmts.set(sql, (stmt = (conn.prepareUncached ? conn.prepareUncached(sql) : conn.prepare(sql)).raw(true)));
      return stmt.all(...bindings);
    } finally {
      await client.releaseConnection(conn);
    }
  };
}

/**
 * `table` read through a named index: `FORCE INDEX` on MySQL, `INDEXED BY` on SQLite. For reads
 * whose cost must stay bounded whatever the optimizer's estimates (a range on the primary key can
 * look as cheap on a small table and cost the whole history on a large one).
 */
export function tableWithIndex(db: Db, table: string, index: string): string {
  return dialectOf(db) === 'mysql' ? `\`${table}\` FORCE INDEX (\`${index}\`)` : `"${table}" INDEXED BY "${index}"`;
}
