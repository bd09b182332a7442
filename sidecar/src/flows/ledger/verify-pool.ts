import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Page, PageVerdict } from './verify-page-check.js';

/** Pages handed to worker threads since the process started (tests assert the workers really ran). */
export const poolStats = { pages: 0 };

/**
 * Worker threads that check verifyLedger pages (hashing is most of the cost, and entries hash
 * independently). A pool that cannot start (no worker support, no loader) just never becomes
 * ready: the caller checks pages itself meanwhile, so verify never depends on it.
 */
export class PagePool {
  private readonly workers: Array<{ worker: Worker; ready: boolean; busy: number; dead: boolean }> = [];
  private readonly pending = new Map<number, { resolve: (v: PageVerdict) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 1;
  private readyWaiters: Array<(ready: boolean) => void> = [];

  constructor(size = Math.max(1, availableParallelism())) {
    for (let i = 0; i < size; i++) {
      try {
        // From TypeScript (tsx) the worker registers the loader first; compiled, it is plain JavaScript.
        const compiled = import.meta.url.endsWith('.js');
        const worker = new Worker(new URL(compiled ? './verify-worker-body.js' : './verify-worker.mjs', import.meta.url));
        const slot = { worker, ready: false, busy: 0, dead: false };
        worker.unref();
        worker.on('message', (m: { ready?: boolean; id?: number; verdict?: PageVerdict; error?: string }) => {
          if (m.ready) {
            slot.ready = true;
            return this.wake();
          }
          const job = this.pending.get(m.id!);
          if (!job) return;
          this.pending.delete(m.id!);
          slot.busy--;
          if (m.error !== undefined) job.reject(new Error(m.error));
          else job.resolve(m.verdict!);
        });
        worker.on('error', (e) => this.fail(slot, e));
        worker.on('exit', () => this.fail(slot, new Error('verify worker exited')));
        this.workers.push(slot);
      } catch {
        // no worker: the caller checks inline
      }
    }
  }

  /** A ready worker with fewer than `depth` pages queued, or undefined. */
  private pick(depth: number) {
    let best: (typeof this.workers)[number] | undefined;
    for (const w of this.workers) if (w.ready && w.busy < depth && (!best || w.busy < best.busy)) best = w;
    return best;
  }

  /** Resolves true once a worker is ready, false when none can be (all failed to start or exited). */
  whenReady(): Promise<boolean> {
    if (this.anyReady()) return Promise.resolve(true);
    if (this.workers.every((w) => w.dead)) return Promise.resolve(false);
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private wake(): void {
    const ready = this.anyReady();
    if (!ready && !this.workers.every((w) => w.dead)) return;
    for (const w of this.readyWaiters.splice(0)) w(ready);
  }

  anyReady(): boolean {
    return this.workers.some((w) => w.ready);
  }

  /** Sends a page to a worker, or returns undefined when none is ready and free. */
  check(page: Page, expectedSeq: number, prev: string, depth = 2): Promise<PageVerdict> | undefined {
    const slot = this.pick(depth);
    if (!slot) return undefined;
    const id = this.nextId++;
    slot.busy++;
    poolStats.pages++;
    const done = new Promise<PageVerdict>((resolve, reject) => this.pending.set(id, { resolve, reject, worker: slot.worker }));
    slot.worker.postMessage({ id, page, expectedSeq, prev });
    return done;
  }

  private fail(slot: { worker: Worker; ready: boolean; dead: boolean }, e: Error): void {
    slot.ready = false;
    slot.dead = true;
    this.wake();
    for (const [id, job] of this.pending) {
      if (job.worker !== slot.worker) continue;
      this.pending.delete(id);
      job.reject(e);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => { w.ready = false; w.dead = true; return w.worker.terminate(); }));
  }
}
