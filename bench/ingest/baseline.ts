/**
 * The baseline beside ingestion: the very inbox rows the sidecar stored (read back from its
 * database), written again into a fresh database with plain knex INSERTs — no HTTP, no signature
 * verification, no duplicate lookup. Runs in its own process (bench/lib/child.ts).
 *
 * Environment: BENCH_SOURCE, BENCH_TARGET (database targets, JSON), BENCH_ORDER (BaselineOrder).
 *   single:  one row per autocommit INSERT (one durable transaction per event), `concurrency` in flight.
 *   grouped: one multi-row INSERT of `group` rows per transaction, one at a time (what a group commit does).
 */
import { openDb } from '../../sidecar/src/db/connect.js';
import type { DatabaseTarget } from '../../sidecar/src/db/database-url.js';
import { reportToParent } from '../lib/child.js';

export type BaselineOrder = { mode: 'single' | 'grouped'; after_id: number; rows: number; warmup: number; concurrency: number; group: number };
export type BaselineResult = { rows: number; ms: number };

const source = JSON.parse(process.env.BENCH_SOURCE!) as DatabaseTarget;
const target = JSON.parse(process.env.BENCH_TARGET!) as DatabaseTarget;
const order = JSON.parse(process.env.BENCH_ORDER!) as BaselineOrder;

const from = openDb(source, { pool_max: 1 });
const rows = (await from('inbox_events').where('id', '>', order.after_id).orderBy('id').limit(order.warmup + order.rows)
  .select('source', 'event_id', 'type', 'stream_key', 'occurred_at', 'payload', 'payload_hash', 'received_at')) as Array<Record<string, unknown>>;
await from.destroy();
if (rows.length < order.warmup + order.rows) throw new Error(`baseline: the source holds ${rows.length} rows after id ${order.after_id}, ${order.warmup + order.rows} needed`);

const db = openDb(target, { pool_max: 8 });
const write = async (batch: Array<Record<string, unknown>>, concurrency: number, group: number) => {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const at = next;
      next += group;
      if (at >= batch.length) return;
      await db('inbox_events').insert(batch.slice(at, at + group));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
};
const group = order.mode === 'single' ? 1 : order.group;
const concurrency = order.mode === 'single' ? order.concurrency : 1;
await write(rows.slice(0, order.warmup), concurrency, group);
const timed = rows.slice(order.warmup);
const started = performance.now();
await write(timed, concurrency, group);
const ms = performance.now() - started;
await db.destroy();
reportToParent({ rows: timed.length, ms } satisfies BaselineResult);
