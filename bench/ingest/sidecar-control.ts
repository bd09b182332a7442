import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseTarget } from '../../sidecar/src/db/database-url.js';
import type { CancelTarget, Command, Counts, DrainResult, Outcomes, PreviewStats } from './sidecar-process.js';
import type { SqlTiming } from './sql-timing.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'sidecar-process.ts');

type Answer = { id: number; ok: boolean; value?: unknown; error?: string };

/**
 * The parent's handle on a sidecar running in its own process (sidecar-process.ts). The child
 * exits when told to stop, or with the parent (its IPC channel closes).
 * `profileDir`: phases wrapped in `profiled()` are CPU-profiled there (<name>.cpuprofile).
 */
export class SidecarControl {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';

  private constructor(private readonly child: ChildProcess, readonly url: string) {
    child.on('message', (m: Answer) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(`sidecar process: ${m.error}`));
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`sidecar process exited with ${code}: ${this.stderr.trim()}`));
      this.waiting.clear();
    });
  }

  /** `script`: another checkout's sidecar-process.ts (an A/B of two versions of the code in one run). */
  static async start(target: DatabaseTarget, opts: { profileDir?: string; sqlTiming?: boolean; script?: string } = {}): Promise<SidecarControl> {
    const env = { ...process.env, BENCH_TARGET: JSON.stringify(target), BENCH_SQL_TIMING: opts.sqlTiming ? '1' : '0', BENCH_PROFILE_DIR: opts.profileDir ?? '' };
    const child = fork(opts.script ?? SCRIPT, [], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { ready?: boolean; url?: string }) => (m.ready ? resolve(m.url!) : reject(new Error('unexpected first message'))));
      child.once('exit', (code) => reject(new Error(`sidecar process exited with ${code} before it was ready:\n${err}`)));
    });
    const control = new SidecarControl(child, url);
    child.stderr!.on('data', (d: Buffer) => (control.stderr += d.toString()));
    return control;
  }

  private call<T>(c: Command): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, ...c });
    });
  }

  pause(): Promise<void> {
    return this.call({ cmd: 'pause' });
  }

  resume(): Promise<void> {
    return this.call({ cmd: 'resume' });
  }

  feedPairs(tag: string, from: number, count: number, chunk = 64): Promise<{ stored: number; ms: number }> {
    return this.call({ cmd: 'feed-pairs', tag, from, count, chunk });
  }

  drain(): Promise<DrainResult> {
    return this.call({ cmd: 'drain' });
  }

  cancelTargets(tag: string, indices: number[], at: string): Promise<CancelTarget[]> {
    return this.call({ cmd: 'cancel-targets', tag, indices, at });
  }

  feedCancellations(targets: CancelTarget[], at: string): Promise<void> {
    return this.call({ cmd: 'feed-cancellations', targets, at });
  }

  /** host.connected for host_0 … host_{count-1}: the bench bookings' hosts get a payout destination. */
  feedHosts(count: number): Promise<void> {
    return this.call({ cmd: 'feed-hosts', count });
  }

  storeTick(at: string): Promise<number> {
    return this.call({ cmd: 'store-tick', at });
  }

  /** The sidecar stores a clock tick at `at` every `every_ms` (0: stop). */
  ticks(every_ms: number, at: string): Promise<void> {
    return this.call({ cmd: 'ticks', every_ms, at });
  }

  /** Drains with a dispatcher of its own in batches of `batch` (dispatch paused). */
  drainBatch(batch: number): Promise<DrainResult> {
    return this.call({ cmd: 'drain-batch', batch });
  }

  /** Stored events that have a result or a parking. */
  fated(): Promise<number> {
    return this.call({ cmd: 'fated' });
  }

  outcomes(): Promise<Outcomes> {
    return this.call({ cmd: 'outcomes' });
  }

  waitDispatched(timeout_ms = 120_000): Promise<void> {
    return this.call({ cmd: 'wait-dispatched', timeout_ms });
  }

  /** Stored events not dispatched yet. */
  backlog(): Promise<number> {
    return this.call({ cmd: 'backlog' });
  }

  counts(): Promise<Counts> {
    return this.call({ cmd: 'counts' });
  }

  /** Previews from memory (true, the service's path) or loading per request (false, the baseline). */
  previewPath(fromMemory: boolean): Promise<void> {
    return this.call({ cmd: 'preview-path', fromMemory });
  }

  /** The preview model's counters and the sidecar's memory. */
  previewStats(): Promise<PreviewStats> {
    return this.call({ cmd: 'preview-stats' });
  }

  /** Per-statement timing since the last call (empty unless started with sqlTiming). */
  sqlTiming(): Promise<SqlTiming> {
    return this.call({ cmd: 'sql-timing' });
  }

  /** Runs `fn` with the sidecar's CPU profiler on (when started with profileDir); the profile is `<name>.cpuprofile`. */
  async profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await this.call({ cmd: 'profile-start' });
    try {
      return await fn();
    } finally {
      await this.call({ cmd: 'profile-stop', name });
    }
  }

  /** CPU time the sidecar process has used so far (user + system), in milliseconds. */
  async cpuMs(): Promise<number> {
    const u = await this.call<{ user: number; system: number }>({ cmd: 'cpu' });
    return (u.user + u.system) / 1000;
  }

  /** CPU time the sidecar process has used so far, user and system apart, in milliseconds. */
  async cpuSplit(): Promise<{ user_ms: number; system_ms: number }> {
    const u = await this.call<{ user: number; system: number }>({ cmd: 'cpu' });
    return { user_ms: u.user / 1000, system_ms: u.system / 1000 };
  }

  /** Stops the sidecar and waits for its process to end. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    await this.call({ cmd: 'stop' }).catch(() => undefined);
    await exited;
  }
}
