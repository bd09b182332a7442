import { availableParallelism } from 'node:os';
import { toInt, type Db } from '../../db/connect.js';
import { GENESIS_HASH } from './types.js';
import { checkPage, openPageReader, type Page, type PageVerdict } from './verify-pages.js';
import { PagePool } from './verify-pool.js';
import type { VerifyProblem } from './check-entry.js';
import type { CheckpointAudit } from './verify-checkpoints.js';

export const VERIFY_PAGE_SIZE = 5000;
/** Below this many entries the worker threads cost more (about 0.2-0.35 s to start, with the loader) than they save on a 2-core machine. */
export const PARALLEL_MIN_ENTRIES = 100_000;

export type ChainVerdict = { entries: number; head_seq: number; head_hash: string; first_bad: VerifyProblem | null };
/**
 * parallel: 'auto' (default) uses worker threads from PARALLEL_MIN_ENTRIES entries to check up (after
 * `from`: a routine verify of a few new entries on a large ledger starts none), sharing the
 * checking with this thread; true always does; 'workers' sends every page to a worker (this thread
 * only reads; for tests and measurements); false never starts workers.
 */
export type ChainOptions = {
  pageSize?: number;
  parallel?: boolean | 'auto' | 'workers';
  /** Start after this entry (a verified checkpoint's seq and hash) instead of at the genesis. */
  from?: { seq: number; hash: string };
  /** Checks the balance checkpoints of each page as it is read (in seq order). */
  audit?: CheckpointAudit;
};

type Job = { page: Page; expectedSeq: number; prev: string; verdict: Promise<PageVerdict> | PageVerdict; settled: boolean };

/**
 * The hash chain from the first entry to the last, page by page: the first entry that does not
 * hold (in seq order), how many entries there are, and the last entry's stored hash.
 *
 * This thread reads pages (the next while the last is checked); checking (mostly hashing) goes to
 * worker threads on large ledgers. A page is checked from the seq and stored hash of the entry
 * before it, which the reader knows as soon as it has read that entry, so pages are checked in
 * any order and anywhere, and their verdicts are taken in seq order: the first bad entry is the
 * one a single pass would name. A page whose worker fails is checked here instead.
 */
export async function verifyChain(db: Db, onProgress?: (done: number) => void, opts: ChainOptions = {}): Promise<ChainVerdict> {
  const pageSize = opts.pageSize ?? VERIFY_PAGE_SIZE;
  const reader = await openPageReader(db, pageSize, opts.audit !== undefined);
  let pool: PagePool | undefined;
  let first_bad: VerifyProblem | null = null;
  let entries = 0;
  let head_hash = opts.from?.hash ?? GENESIS_HASH;
  let head_seq = opts.from?.seq ?? 0;
  const inFlight: Job[] = [];
  const takeOldest = async () => {
    const job = inFlight.shift()!;
    let v: PageVerdict;
    try {
      v = await job.verdict;
    } catch {
      v = checkPage(job.page, job.expectedSeq, job.prev);
    }
    first_bad ??= v.first_bad;
    entries += v.count;
    if (v.count > 0) {
      head_hash = v.last_hash;
      head_seq = v.last_seq;
    }
    onProgress?.(v.last_seq);
  };
  try {
    const mode = opts.parallel ?? 'auto';
    if (mode === true || mode === 'workers' || (mode === 'auto' && !db.isTransaction && (await headSeqOf(db)) - (opts.from?.seq ?? 0) >= PARALLEL_MIN_ENTRIES)) {
      // This thread reads, and (except in 'workers' mode) checks what the workers cannot take.
      pool = new PagePool(mode === 'workers' ? Math.max(1, availableParallelism()) : Math.max(1, availableParallelism() - 1));
    }
    let expectedSeq = (opts.from?.seq ?? 0) + 1;
    let prev = opts.from?.hash ?? GENESIS_HASH;
    let read = await reader.read(opts.from ? opts.from.seq : Number.MIN_SAFE_INTEGER);
    while (read.entries.length > 0) {
      const page: Page = { entries: read.entries, lines: read.lines };
      const checkpoints = read.checkpoints;
      const last = page.entries[page.entries.length - 1]!;
      const next = reader.read(toInt(last[0]));
      next.catch(() => undefined); // if checking throws below, the prefetch's own failure must not go unhandled
      if (opts.audit) await opts.audit.page(page, checkpoints);
      // SQLite reads synchronously: give the event loop a turn so workers' messages (ready, verdicts) arrive.
      if (pool) await new Promise((resolve) => setImmediate(resolve));
      // A free worker takes the page; otherwise this thread checks it (sharing the work with the workers).
      let verdict = pool?.check(page, expectedSeq, prev, 1);
      if (pool && mode === 'workers' && (await pool.whenReady())) {
        while (!verdict && pool.anyReady()) {
          if (inFlight.length > 0) await takeOldest();
          else await new Promise((resolve) => setImmediate(resolve));
          verdict = pool.check(page, expectedSeq, prev, 2);
        }
      }
      const job: Job = { page, expectedSeq, prev, verdict: verdict ?? checkPage(page, expectedSeq, prev), settled: !verdict };
      if (verdict) verdict.then(() => (job.settled = true), () => (job.settled = true));
      inFlight.push(job);
      // Verdicts are taken in seq order as soon as they are in: progress moves, checked pages are let go.
      while (inFlight[0]?.settled) await takeOldest();
      expectedSeq = toInt(last[0]) + 1;
      prev = last[10] as string;
      read = await next;
    }
    while (inFlight.length > 0) await takeOldest();
  } finally {
    await pool?.close();
    await reader.close();
  }
  return { entries, head_seq, head_hash, first_bad };
}

async function headSeqOf(db: Db): Promise<number> {
  const row = (await db('journal_entries').orderBy('seq', 'desc').first('seq')) as { seq: unknown } | undefined;
  return row ? toInt(row.seq) : 0;
}
