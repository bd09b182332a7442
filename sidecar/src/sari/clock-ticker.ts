import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { canonicalJson, formatIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import type { InboxEventInput, StoreResult } from './inbox.js';
import { holdClockLease } from './clock-lease.js';

export const CLOCK_SOURCE = 'clock';

/**
 * The tick of the interval that contains `now_ms`, as the inbox stores it. Everything in it is
 * derived from the interval (never from the replica or the moment of writing), so replicas that
 * tick the same minute write the same row and the second is a duplicate.
 */
export function clockTickFor(now_ms: number, interval_ms: number): InboxEventInput {
  const at = formatIsoUtc(Math.floor(now_ms / interval_ms) * interval_ms);
  const event_id = `tick:${at}`;
  return {
    source: CLOCK_SOURCE, event_id, type: 'clock.tick', stream_key: null, occurred_at: at,
    payload: canonicalJson({ id: event_id, type: 'clock.tick', occurred_at: at, data: {} }),
    received_at: formatIsoUtc(now_ms),
  };
}

export type ClockTickerOptions = {
  db: Db;
  store: (input: InboxEventInput) => Promise<StoreResult>;
  onStored: (inbox_id: number) => void;
  /** For the metrics: every look at the clock, stored, duplicate (another replica was first) or standby. */
  onTick?: (result: 'stored' | 'duplicate' | 'standby') => void;
  logger: Logger;
  interval_ms: number;
  now_ms: () => number;
  /** How long a claim on the lease lasts (default 3 intervals). */
  lease_ms?: number;
  holder?: string;
};

/**
 * The built-in clock: records a `clock.tick` in the inbox every interval from the wall clock, as
 * its own source. It only stores events; what becomes due is decided by dispatch from the tick's
 * `occurred_at`, exactly as on replay. One replica ticks at a time (the lease).
 */
export class ClockTicker {
  readonly holder: string;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly opts: ClockTickerOptions) {
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Ticks now (a payout due while the process was down is due at start), then every interval. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** One tick if this replica holds the lease: the stored result, or null when another replica ticks. */
  async tickOnce(): Promise<StoreResult | null> {
    const now = this.opts.now_ms();
    const lease_ms = this.opts.lease_ms ?? 3 * this.opts.interval_ms;
    if (!(await holdClockLease(this.opts.db, this.holder, now, lease_ms))) {
      this.opts.onTick?.('standby');
      return null;
    }
    const stored = await this.opts.store(clockTickFor(now, this.opts.interval_ms));
    this.opts.onTick?.(stored.duplicate ? 'duplicate' : 'stored');
    if (!stored.duplicate) this.opts.onStored(stored.inbox_id);
    return stored;
  }

  private schedule(delay_ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tickOnce()
        .catch((err) => this.opts.logger.error({ err }, 'clock tick failed; trying again next interval'))
        .finally(() => {
          const i = this.opts.interval_ms;
          this.schedule(i - (this.opts.now_ms() % i) + 5); // just after the next interval starts
        });
    }, delay_ms);
    this.timer.unref();
  }
}
