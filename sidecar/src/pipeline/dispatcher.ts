import type { Logger } from 'pino';
import { isUniqueViolation, type Db } from '../db/connect.js';
import { InboxCursor } from './batch/batching.js';
import { runBatch } from './batch/run-batch.js';
import type { DispatchLease } from './batch/leasing.js';

/** One committed batch: its events, statements and wall time, whole (ms) and by phase (commit: what the transaction's end took). */
export type BatchInfo = { events: number; statements: number; ms: number; load_ms: number; decide_ms: number; write_ms: number; commit_ms: number };

export type DispatcherOptions = {
  logger: Logger;
  /** Events per batch (one transaction each). */
  batchSize?: number;
  /**
   * A batch stops starting handlers after this long (a safety bound: a batch of 500 takes a few tens
   * of ms). Batches form by themselves: each takes what was stored while the previous one ran, up
   * to batchSize, so under load they grow and at rest an event waits for no one.
   */
  maxBatch_ms?: number;
  /** How long a hole in the inbox ids may be an insert still committing before it is passed over. */
  gapGrace_ms?: number;
  onResult?: (status: string) => void;
  /** After each committed batch: how many events and statements it took (metrics, benches). */
  onBatch?: (info: BatchInfo) => void;
  now_ms?: () => number;
  /** With several replicas: only the holder of this lease dispatches (batch/leasing.ts). */
  lease?: DispatchLease;
};

/**
 * Hands stored events to the handlers in inbox order, the same order on every run, in any batch
 * size and on replay. The concerns live in files of their own: which events come next
 * (batch/batching.ts), loading state and running handlers over it (batch/run-batch.ts, load.ts,
 * state.ts), parking (batch/parking.ts); this class only loops.
 */
export class Dispatcher {
  private readonly inbox: InboxCursor;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private busy = false;
  private stopped = true;
  private readonly batchSize: number;
  /** After a batch failed to write: events one at a time up to this id, so one bad event costs only itself. */
  private isolateThrough = 0;
  private queue: Promise<void> = Promise.resolve();
  /** The last batch applied nothing because it could not be written (not because the inbox is empty): try again. */
  private retryNow = false;

  constructor(private readonly db: Db, private readonly opts: DispatcherOptions) {
    this.batchSize = opts.batchSize ?? 500;
    this.inbox = new InboxCursor(db, opts.gapGrace_ms ?? 500, opts.now_ms ?? Date.now);
  }

  get highestSeen(): number {
    return this.inbox.highestSeen;
  }

  /** Events stored but not yet dispatched (an estimate: the inbox is the queue). */
  backlog(): number {
    return this.inbox.backlog();
  }

  noteStored(inbox_id: number): void {
    if (inbox_id > this.inbox.highestSeen) this.inbox.highestSeen = inbox_id;
    this.nudge();
  }

  nudge(): void {
    this.wake?.();
  }

  start(idle_ms = 100): void {
    this.stopped = false;
    const loop = async () => {
      while (!this.stopped) {
        let n = 0;
        try {
          n = await this.runOnce();
        } catch (err) {
          this.opts.logger.error({ err }, 'dispatch pass failed; retrying');
          this.inbox.reset();
          await new Promise((r) => setTimeout(r, 200));
        }
        if (n === 0 && !this.stopped) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.timer = setTimeout(resolve, idle_ms);
          });
          this.wake = null;
          if (this.timer) clearTimeout(this.timer);
        }
      }
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await this.queue;
    await this.opts.lease?.release();
  }

  /** Dispatches until the inbox is drained (for tests, replay and the CLI). */
  async drain(): Promise<number> {
    let total = 0;
    let retries = 0;
    for (;;) {
      this.retryNow = false;
      const n = await this.runOnce(true);
      total += n;
      if (n > 0) retries = 0;
      // A batch another dispatcher had written first, or one that goes on one event at a time: not the end.
      else if (!this.retryNow || ++retries > 3) return total;
    }
  }

  /** One batch. Returns how many events got a result or a parking. */
  async runOnce(ignoreGaps = false): Promise<number> {
    // One batch at a time per process: callers queue behind the running one.
    const run = this.queue.then(() => this.runNext(ignoreGaps));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  private async runNext(ignoreGaps: boolean): Promise<number> {
    this.busy = true;
    try {
      if (this.opts.lease) {
        const had = this.opts.lease.held;
        if (!(await this.opts.lease.ensure())) return 0;
        // Just taken over: another replica moved the inbox on meanwhile.
        if (!had) this.inbox.reset();
      }
      const limit = this.isolateThrough > (this.inbox.cursor ?? 0) ? 1 : this.batchSize;
      const batch = await this.inbox.next(limit, ignoreGaps);
      if (batch.length === 0) return 0;
      const t0 = performance.now();
      let report;
      try {
        report = await runBatch(this.db, batch, { logger: this.opts.logger, ...(this.opts.maxBatch_ms !== undefined ? { maxBatch_ms: this.opts.maxBatch_ms } : {}), ...(this.opts.now_ms ? { now_ms: this.opts.now_ms } : {}) });
      } catch (err) {
        this.inbox.reset();
        this.retryNow = true;
        if (isUniqueViolation(err)) return 0; // another process dispatched these first: its results stand
        if (batch.length > 1) {
          // Something in the batch could not be written: go one event at a time past it.
          this.opts.logger.warn({ err, from: batch[0]!.id, to: batch[batch.length - 1]!.id }, 'batch failed to write; dispatching its events one at a time');
          this.isolateThrough = batch[batch.length - 1]!.id;
          return 0;
        }
        throw err;
      }
      this.inbox.advance(report.done);
      for (const s of report.statuses) this.opts.onResult?.(s);
      const ms = performance.now() - t0;
      const { load_ms, decide_ms, write_ms } = report.phases;
      this.opts.onBatch?.({ events: report.done.length, statements: report.statements, ms, load_ms, decide_ms, write_ms, commit_ms: ms - load_ms - decide_ms - write_ms });
      return report.done.length;
    } finally {
      this.busy = false;
    }
  }
}
