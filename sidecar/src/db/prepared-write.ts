import type { Db } from './connect.js';
import { dialectOf } from './connect.js';

type Mysql2Connection = {
  execute: (sql: string, values: unknown[], cb: (err: unknown, result?: unknown) => void) => void;
  unprepare: (sql: string) => unknown;
};
type Pool<C> = { acquireConnection: () => Promise<C>; releaseConnection: (c: C) => Promise<unknown> };

/** Statement texts kept prepared per connection (least recently used closed first). */
const KEPT_PER_CONNECTION = 48;
const kept = new WeakMap<object, Map<string, true>>();
/** Databases whose writes stay text statements: the benches' baseline beside prepared writes. */
const asText = new WeakSet<object>();

/** Writes through `db` (and its transactions) as text statements again (for a same-run baseline). */
export function useTextWrites(db: Db): void {
  asText.add(configOf(db));
}

/**
 * Runs a write (a multi-row INSERT) whose values are bound, not spliced into the text. On MySQL it
 * is a server-side prepared statement (binary protocol): the values are neither escaped by the
 * client nor parsed by the server as SQL literals — measured on MariaDB ≈ 1.6–2× less wall time
 * and ≈ 2–3× less client CPU than the same multi-row INSERT as text (docs/benchmarks.md, "Ingest:
 * where the time goes"). Row counts vary from batch to batch, so each connection keeps only its
 * most recently used texts prepared and closes the others (the server's prepared-statement count
 * is global and bounded). On SQLite, knex's statement cache already prepares: a plain raw call.
 *
 * Numbers are bound as their decimal text, as the text protocol writes them (the binary protocol
 * would send them as DOUBLE), so a value lands in its column exactly as before.
 */
export async function executeWrite(db: Db, sql: string, bindings: readonly unknown[]): Promise<void> {
  if (dialectOf(db) !== 'mysql' || asText.has(configOf(db))) {
    await db.raw(sql, bindings as never);
    return;
  }
  const values = bindings.map(asBinaryParameter);
  // Inside a transaction this is the transaction's connection; otherwise one from the pool.
  const pool = db.client as Pool<Mysql2Connection>;
  const conn = await pool.acquireConnection();
  try {
    await new Promise<void>((resolve, reject) => conn.execute(sql, values, (err) => (err ? reject(err) : resolve())));
    keep(conn, sql);
  } finally {
    await pool.releaseConnection(conn);
  }
}

/** A transaction's client shares its database's config object: the key for both. */
function configOf(db: Db): object {
  return (db.client as { config: object }).config;
}

function keep(conn: Mysql2Connection, sql: string): void {
  let texts = kept.get(conn);
  if (!texts) kept.set(conn, (texts = new Map()));
  texts.delete(sql);
  texts.set(sql, true);
  if (texts.size <= KEPT_PER_CONNECTION) return;
  const oldest = texts.keys().next().value as string;
  texts.delete(oldest);
  conn.unprepare(oldest);
}

function asBinaryParameter(v: unknown): unknown {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return String(v);
    case 'string':
    case 'boolean':
      return v;
    case 'undefined':
      throw new TypeError('executeWrite: undefined is not a value (use null)');
    default:
      if (v === null || Buffer.isBuffer(v)) return v;
      throw new TypeError(`executeWrite: cannot bind a ${Object.prototype.toString.call(v)}`);
  }
}
