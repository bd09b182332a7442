import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { DatabaseTarget } from './database-url.js';

export type Db = Knex;

/**
 * Opens a knex instance. SQLite runs in WAL mode with a busy timeout; MySQL returns BIGINT as
 * strings (bigNumberStrings) so no amount is ever silently rounded through a double.
 */
export function openDb(target: DatabaseTarget, opts: { pool_max?: number; statement_cache?: number; onConnection?: ConnectionTap } = {}): Db {
  if (target.dialect === 'sqlite') {
    if (target.filename !== ':memory:') mkdirSync(dirname(target.filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: target.filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: { pragma: (s: string) => unknown; prepare: (sql: string) => unknown }, done: (err: Error | null, conn: unknown) => void) => {
          if ((opts.statement_cache ?? STATEMENT_CACHE_MAX) > 0) cachePreparedStatements(conn, opts.statement_cache ?? STATEMENT_CACHE_MAX);
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = FULL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          opts.onConnection?.(conn, 'sqlite');
          done(null, conn);
        },
      },
    });
  }
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
      timezone: 'Z',
    },
    pool: {
      min: 0,
      max: opts.pool_max ?? 8,
      // READ COMMITTED: a retry inside a transaction sees what other writers committed (the chain head).
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err) => {
          if (!err) opts.onConnection?.(conn, 'mysql');
          done(err, conn);
        });
      },
    },
  });
}

/**
 * Test-only (the simulation, issue #18): sees each raw connection as it is made, to fail or cut it
 * at a chosen statement (a SIGKILL or a dropped connection). Only code can pass it; no setting does.
 */
export type ConnectionTap = (conn: unknown, dialect: 'sqlite' | 'mysql') => void;

/** SQLite statements kept prepared per connection (docs/benchmarks.md, "SQLite statement cache"). */
export const STATEMENT_CACHE_MAX = 500;

type SqliteConn = { prepare: (sql: string) => unknown; prepareUncached?: (sql: string) => unknown };

/**
 * knex asks better-sqlite3 to prepare every statement afresh (a fifth of a posting's time, 18 % of
 * a drain). The same SQL text is the same statement: keep the `max` most recently used (a batch's
 * multi-row INSERTs vary in row count, so the set of texts is unbounded and the cache must not be).
 * better-sqlite3 runs them synchronously, one at a time per connection, and SQLite re-prepares a
 * statement itself after a schema change. `prepareUncached` is for callers that change a
 * statement's mode (raw rows): a cached statement is shared with knex and must stay as knex expects.
 */
function cachePreparedStatements(conn: SqliteConn, max: number): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepareUncached = prepare;
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
    } else {
      cache.delete(sql); // most recently used last: the first key is the one to drop
    }
    cache.set(sql, statement);
    return statement;
  };
}

export function dialectOf(db: Db): 'sqlite' | 'mysql' {
  const client = (db.client as { config: { client: string } }).config.client;
  return client === 'mysql2' ? 'mysql' : 'sqlite';
}

export { toInt } from '../kernel/ints.js';

/** True when the error is a unique-key violation, on either dialect. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return err?.code === 'ER_DUP_ENTRY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.errno === 1062;
}
