import type { Db } from '../../sidecar/src/db/connect.js';

/**
 * Timing around every query a knex instance runs (the profiling aid of the benches): count and
 * total milliseconds per statement shape (bindings stripped). On SQLite the time is the synchronous
 * work on the event loop (including the fsync of a COMMIT); on MySQL it is the round trip.
 */
export type SqlTiming = Array<{ sql: string; count: number; total_ms: number; bytes: number }>;

export function timeQueries(db: Db): { take: () => SqlTiming } {
  // Transactions run on clients made from the dialect client's prototype: patch it there (this
  // process only ever has the one dialect's clients that matter).
  const proto = Object.getPrototypeOf(db.client) as { _query: (this: unknown, conn: unknown, obj: { sql: string; bindings?: unknown[] }) => Promise<unknown> };
  const original = proto._query;
  let stats = new Map<string, { count: number; total_ms: number; bytes: number }>();
  const note = (sql: string, bindings: readonly unknown[] | undefined, ms: number) => {
    const key = shapeOf(sql);
    const s = stats.get(key) ?? { count: 0, total_ms: 0, bytes: 0 };
    s.count++;
    s.total_ms += ms;
    // What the statement sends: its text plus its bound values (roughly the packet's size).
    s.bytes += sql.length;
    for (const b of bindings ?? []) s.bytes += typeof b === 'string' ? b.length : 8;
    stats.set(key, s);
  };
  proto._query = async function (this: unknown, conn, obj) {
    patchExecute(conn, note);
    const t0 = performance.now();
    try {
      return await original.call(this, conn, obj);
    } finally {
      note(obj.sql, obj.bindings, performance.now() - t0);
    }
  };
  return {
    take: () => {
      const out = [...stats.entries()].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.total_ms - a.total_ms);
      stats = new Map();
      return out;
    },
  };
}

type Execute = (sql: string, values: unknown[], cb: (err: unknown, result?: unknown) => void) => unknown;
const patched = new WeakSet<object>();

/**
 * Prepared writes (db/prepared-write.ts) go to mysql2's `execute`, past knex: time them there too
 * (from the call, so a statement queued behind another counts its wait, as knex's do not).
 */
function patchExecute(conn: unknown, note: (sql: string, bindings: readonly unknown[], ms: number) => void): void {
  let proto = conn as { execute?: Execute } | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'execute')) proto = Object.getPrototypeOf(proto) as { execute?: Execute } | null;
  if (!proto?.execute || patched.has(proto)) return;
  patched.add(proto);
  const original = proto.execute;
  proto.execute = function (this: unknown, sql, values, cb) {
    const t0 = performance.now();
    return original.call(this, sql, values, (err, result) => {
      note(sql, values, performance.now() - t0);
      cb(err, result);
    });
  };
}

/** One shape per statement: value lists collapsed so `IN (?, ?, ?)` and multi-row VALUES group together. */
function shapeOf(sql: string): string {
  return sql.replace(/\b(SAVEPOINT\s+)\w+/gi, '$1…').replace(/\((\s*\?\s*,)+\s*\?\s*\)/g, '(?…)').replace(/(\(\?…\)\s*,\s*)+\(\?…\)/g, '(?…)…').replace(/\s+/g, ' ').slice(0, 220);
}

export function formatTiming(t: SqlTiming, top = Number(process.env.BENCH_SQL_TOP ?? 15)): string {
  const total = t.reduce((a, b) => a + b.total_ms, 0);
  const count = t.reduce((a, b) => a + b.count, 0);
  const bytes = t.reduce((a, b) => a + b.bytes, 0);
  const kb = (n: number) => `${(n / 1024).toFixed(0).padStart(6)} KiB`;
  return `${total.toFixed(0).padStart(7)} ms in ${count} queries (${kb(bytes).trim()} sent), of which:\n` + t.slice(0, top).map((s) => `${s.total_ms.toFixed(0).padStart(7)} ms ${((100 * s.total_ms) / total).toFixed(1).padStart(5)}% ${String(s.count).padStart(7)}× ${(s.total_ms / s.count).toFixed(3)} ms ${kb(s.bytes)}  ${s.sql}`).join('\n');
}
