/**
 * One bench case in its own process (so its peak RSS is its own). Reads its orders from the
 * environment (set by run.ts), prints one JSON line. Not meant to be run by hand.
 */
import { openDb, type Db } from '../../sidecar/src/db/connect.js';
import type { DatabaseTarget } from '../../sidecar/src/db/database-url.js';
import { chart } from '../../sidecar/src/flows/vocabulary.js';
import { balanceOf, headSeq, postEntries, postEntry, verifyLedger } from '../../sidecar/src/flows/ledger/index.js';
import { ENTRY_COLUMNS, LINE_COLUMNS } from '../../sidecar/src/flows/ledger/entry-checks.js';
import { insertRows } from '../../sidecar/src/flows/ledger/multi-row-insert.js';
import { CHECKPOINT_COLUMNS } from '../../sidecar/src/flows/ledger/balance-checkpoints.js';
import { peakRssMb, rssMb } from '../lib/memory.js';
import { reportToParent } from '../lib/child.js';
import { timed } from '../lib/timing.js';
import { CURRENCY, openWorkloadAccounts, rawRowsFor, requestFor, type Placement, type RawRows } from './workload.js';

/**
 * pair: the ledger's posting call into one database and the raw ceiling (the same rows, hashes
 * precomputed, written the way the call writes them) into another, `batch` entries per
 * transaction on both, interleaved chunk by chunk so both sides run under the same conditions
 * (the machine is shared; a burst of other work would otherwise land on one side only).
 * batch 1: postEntry against two plain knex inserts per entry. batch > 1: postEntries (one call
 * per transaction) against one multi-row `INSERT … VALUES (…), (…)` per table per transaction.
 * raw-bulk: the same rows, one multi-row INSERT per table per transaction, continuing the chain
 * from entry `from`. verify: verifyLedger over what is there. idle: nothing (the runtime's RSS).
 */
export type CaseKind = 'pair' | 'raw-bulk' | 'verify' | 'idle';
export type CaseOrder = { kind: CaseKind; placement: Placement; batch: number; entries: number; warmup: number; run: string; from?: number; parallel?: boolean };
type Head = { seq: number; entry_hash: string | null };
export type CaseResult = {
  entries: number;
  ms: number; // postEntry's time (pair), or the case's
  raw_ms?: number; // the raw ceiling's time (pair)
  rss_start_mb: number;
  peak_rss_mb: number;
  head: Head;
  raw_head?: Head;
  detail?: Record<string, unknown>;
};

const T_OPEN = '2026-09-01T00:00:00Z';

async function main(): Promise<void> {
  const order = JSON.parse(process.env.BENCH_ORDER ?? '') as CaseOrder;
  const db = openDb(JSON.parse(process.env.BENCH_TARGET ?? '') as DatabaseTarget, { pool_max: 1 });
  const rawDb = process.env.BENCH_TARGET_RAW ? openDb(JSON.parse(process.env.BENCH_TARGET_RAW) as DatabaseTarget, { pool_max: 1 }) : undefined;
  try {
    reportToParent(await runCase(db, rawDb, order));
  } finally {
    await db.destroy();
    await rawDb?.destroy();
  }
}

async function runCase(db: Db, rawDb: Db | undefined, o: CaseOrder): Promise<CaseResult> {
  if (o.kind === 'idle') return { entries: 0, ms: 0, rss_start_mb: rssMb(), peak_rss_mb: peakRssMb(), head: await headSeq(db) };
  if (o.kind === 'verify') return verifyCase(db, o.parallel);
  await openWorkloadAccounts(db, o.placement, T_OPEN);
  if (o.kind === 'raw-bulk') return bulkCase(db, o);
  if (!rawDb) throw new Error('pair needs BENCH_TARGET_RAW');
  await openWorkloadAccounts(rawDb, o.placement, T_OPEN);
  return pairCase(db, rawDb, o);
}

async function pairCase(db: Db, rawDb: Db, o: CaseOrder): Promise<CaseResult> {
  const total = o.warmup + o.entries;
  const requests = Array.from({ length: total }, (_, i) => requestFor(o.placement, o.run, i));
  const rows = rawRowsFor(o.placement, o.run, total);
  const post = async (from: number, to: number) => {
    for (let i = from; i < to; i += o.batch) {
      const end = Math.min(i + o.batch, to);
      if (o.batch === 1) await db.transaction((trx) => postEntry(trx, requests[i]!));
      else await postEntries(db, requests.slice(i, end)); // its own transaction
    }
  };
  const raw = async (from: number, to: number) => {
    for (let i = from; i < to; i += o.batch) {
      const slice = rows.slice(i, Math.min(i + o.batch, to));
      await rawDb.transaction((trx) => (o.batch === 1 ? insertPerEntry(trx, slice) : insertMultiRow(trx, slice)));
    }
  };
  // JIT and connection warm-up, untimed, the same on both sides.
  await post(0, o.warmup);
  await raw(0, o.warmup);
  const rss_start_mb = rssMb();
  // Chunks of at least 20 entries (whole transactions); which side goes first alternates.
  const chunk = o.batch * Math.max(1, Math.floor(20 / o.batch));
  let post_ms = 0;
  let raw_ms = 0;
  for (let from = o.warmup, n = 0; from < total; from += chunk, n++) {
    const to = Math.min(from + chunk, total);
    const sides = [async () => (post_ms += (await timed(() => post(from, to))).ms), async () => (raw_ms += (await timed(() => raw(from, to))).ms)];
    if (n % 2) sides.reverse();
    for (const side of sides) await side();
  }
  return { entries: o.entries, ms: post_ms, raw_ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db), raw_head: await headSeq(rawDb) };
}

/** Two statements per entry, as postEntry writes them. */
async function insertPerEntry(trx: Db, slice: RawRows[]): Promise<void> {
  for (const r of slice) {
    await trx('journal_entries').insert(r.entry);
    await trx('journal_lines').insert(r.lines);
    if (r.checkpoints.length > 0) await insertRows(trx, 'balance_checkpoints', CHECKPOINT_COLUMNS, r.checkpoints);
  }
}

/** One multi-row INSERT … VALUES per table (chunked under the parameter limit), as postEntries writes a batch. */
async function insertMultiRow(trx: Db, slice: RawRows[]): Promise<void> {
  await insertRows(trx, 'journal_entries', ENTRY_COLUMNS, slice.map((r) => ENTRY_COLUMNS.map((c) => r.entry[c])));
  await insertRows(trx, 'journal_lines', LINE_COLUMNS, slice.flatMap((r) => r.lines.map((l) => LINE_COLUMNS.map((c) => l[c]))));
  await insertRows(trx, 'balance_checkpoints', CHECKPOINT_COLUMNS, slice.flatMap((r) => r.checkpoints));
}

/** Continues the chain already in the database (same workload) from entry `from` with multi-row inserts. */
async function bulkCase(db: Db, o: CaseOrder): Promise<CaseResult> {
  const from = o.from ?? 0;
  const head = await headSeq(db);
  if (head.seq !== from) throw new Error(`raw-bulk expected the ledger to end at ${from}, it ends at ${head.seq}`);
  const rows = rawRowsFor(o.placement, o.run, from + o.entries);
  if (from > 0 && rows[from - 1]!.entry.entry_hash !== head.entry_hash) throw new Error('raw-bulk: the ledger in the database is not this workload');
  const rss_start_mb = rssMb();
  const { ms } = await timed(async () => {
    for (let i = from; i < rows.length; i += o.batch) {
      const slice = rows.slice(i, Math.min(i + o.batch, rows.length));
      // Two statements per transaction: every entry row at once, then every line.
      await db.transaction((trx) => insertMultiRow(trx, slice));
    }
  });
  return { entries: o.entries, ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db) };
}

/** verifyLedger as the CLI runs it (`auto`), or with the worker threads forced on (`parallel`). */
async function verifyCase(db: Db, parallel?: boolean): Promise<CaseResult> {
  const rss_start_mb = rssMb();
  const { ms, value: report } = await timed(() => verifyLedger(db, undefined, parallel ? { parallel: true } : {}));
  if (!report.ok) throw new Error(`verify failed on the bench ledger: ${JSON.stringify(report.first_bad ?? report.bad_checkpoint ?? report.unbalanced_units)}`);
  // A derived balance over the whole ledger: the hot account has a line in every entry.
  const { ms: balance_ms, value: bal } = await timed(() => balanceOf(db, chart.stripeBalance(CURRENCY).code));
  return {
    entries: report.entries, ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db),
    detail: { balance_ms, balance_minor: bal.balance_minor.toString(), head_hash: report.head_hash },
  };
}

await main();
