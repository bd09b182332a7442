/**
 * One bench case in its own process (so its peak RSS is its own). Reads its orders from the
 * environment (set by run.ts), prints one JSON line. Not meant to be run by hand.
 */
import { openDb, type Db } from '../../sidecar/src/db/connect.js';
import type { DatabaseTarget } from '../../sidecar/src/db/database-url.js';
import { ensureAccounts } from '../../sidecar/src/flows/booking/chart.js';
import { balanceOf, headSeq, postEntry, verifyLedger } from '../../sidecar/src/flows/ledger/index.js';
import { chart } from '../../sidecar/src/flows/booking/chart.js';
import { peakRssMb, rssMb } from '../lib/memory.js';
import { reportToParent } from '../lib/child.js';
import { timed } from '../lib/timing.js';
import { accountsFor, CURRENCY, rawRowsFor, requestFor, type Placement, type RawRows } from './workload.js';

/**
 * post: postEntry, `batch` entries per transaction. raw: the same rows with plain inserts, two
 * statements per entry (what postEntry writes), `batch` entries per transaction. raw-bulk: the same
 * rows, one multi-row INSERT per table per transaction, continuing the chain from entry `from`.
 * verify: verifyLedger over what is there. idle: nothing, to show the runtime's own RSS.
 */
export type CaseKind = 'post' | 'raw' | 'raw-bulk' | 'verify' | 'idle';
export type CaseOrder = { kind: CaseKind; placement: Placement; batch: number; entries: number; warmup: number; run: string; from?: number };
export type CaseResult = {
  entries: number;
  ms: number;
  rss_start_mb: number;
  peak_rss_mb: number;
  head: { seq: number; entry_hash: string | null };
  detail?: Record<string, unknown>;
};

const T_OPEN = '2026-09-01T00:00:00Z';

async function main(): Promise<void> {
  const target = JSON.parse(process.env.BENCH_TARGET ?? '') as DatabaseTarget;
  const order = JSON.parse(process.env.BENCH_ORDER ?? '') as CaseOrder;
  const db = openDb(target, { pool_max: 1 });
  try {
    reportToParent(await runCase(db, order));
  } finally {
    await db.destroy();
  }
}

async function runCase(db: Db, o: CaseOrder): Promise<CaseResult> {
  if (o.kind === 'idle') return { entries: 0, ms: 0, rss_start_mb: rssMb(), peak_rss_mb: peakRssMb(), head: await headSeq(db) };
  if (o.kind === 'verify') return verifyCase(db);
  await db.transaction((trx) => ensureAccounts(trx, accountsFor(o.placement), T_OPEN));
  if (o.kind === 'raw-bulk') return bulkCase(db, o);
  const total = o.warmup + o.entries;
  if (o.kind === 'post') {
    const requests = Array.from({ length: total }, (_, i) => requestFor(o.placement, o.run, i));
    const post = async (from: number, to: number) => {
      for (let i = from; i < to; i += o.batch) {
        const end = Math.min(i + o.batch, to);
        await db.transaction(async (trx) => {
          for (let j = i; j < end; j++) await postEntry(trx, requests[j]!);
        });
      }
    };
    await post(0, o.warmup); // JIT and connection warm-up, untimed, the same for every case
    const rss_start_mb = rssMb();
    const { ms } = await timed(() => post(o.warmup, total));
    return { entries: o.entries, ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db) };
  }
  // The ceiling: the very rows postEntry writes, hashes precomputed, plain knex inserts.
  const rows = rawRowsFor(o.placement, o.run, total);
  const write = async (from: number, to: number) => {
    for (let i = from; i < to; i += o.batch) {
      const slice = rows.slice(i, Math.min(i + o.batch, to));
      await db.transaction((trx) => insertPerEntry(trx, slice));
    }
  };
  await write(0, o.warmup);
  const rss_start_mb = rssMb();
  const { ms } = await timed(() => write(o.warmup, total));
  return { entries: o.entries, ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db) };
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
      await db.transaction((trx) => insertBulk(trx, slice));
    }
  });
  return { entries: o.entries, ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db) };
}

/** Two statements per entry, as postEntry writes them. */
async function insertPerEntry(trx: Db, slice: RawRows[]): Promise<void> {
  for (const r of slice) {
    await trx('journal_entries').insert(r.entry);
    await trx('journal_lines').insert(r.lines);
  }
}

/** Two statements per transaction: every entry row at once, then every line (SQLite takes at most 500 rows a statement). */
async function insertBulk(trx: Db, slice: RawRows[]): Promise<void> {
  await trx('journal_entries').insert(slice.map((r) => r.entry));
  await trx('journal_lines').insert(slice.flatMap((r) => r.lines));
}

async function verifyCase(db: Db): Promise<CaseResult> {
  const rss_start_mb = rssMb();
  const { ms, value: report } = await timed(() => verifyLedger(db));
  if (!report.ok) throw new Error(`verify failed on the bench ledger: ${JSON.stringify(report.first_bad ?? report.unbalanced_units)}`);
  // A derived balance over the whole ledger: the hot account has a line in every entry.
  const { ms: balance_ms, value: bal } = await timed(() => balanceOf(db, chart.stripeBalance(CURRENCY).code));
  return {
    entries: report.entries, ms, rss_start_mb, peak_rss_mb: peakRssMb(), head: await headSeq(db),
    detail: { balance_ms, balance_minor: bal.balance_minor.toString(), head_hash: report.head_hash },
  };
}

await main();
