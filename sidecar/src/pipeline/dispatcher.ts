import type { Logger } from 'pino';
import { DomainError } from '../kernel/index.js';
import { isUniqueViolation, toInt, type Db } from '../db/connect.js';
import { readInboxAfter, readInboxById, type InboxEvent } from '../sari/inbox.js';
import { parseBookingEvent } from '../sari/booking-events.js';
import { ParkEvent, RefuseEvent, type HandlerResult } from './context.js';
import { flagBooking } from '../flows/booking/store.js';
import { HANDLERS } from './handlers/index.js';

export type DispatchOutcome = { status: 'processed' | 'ignored' | 'dead_lettered' | 'parked'; code?: string; reason?: string };

export type DispatcherOptions = {
  logger: Logger;
  batchSize?: number;
  /** How long a hole in the inbox ids may be an insert still committing before it is passed over. */
  gapGrace_ms?: number;
  onResult?: (status: string) => void;
  now_ms?: () => number;
};

const MAX_UNPARK_CHAIN = 1000;
/** How long a passed-over hole is watched for a late commit, and how many holes at most. */
const HOLE_WATCH_MS = 60_000;
const MAX_WATCHED_HOLES = 10_000;

/**
 * Hands inbox events to the handlers in inbox order, the same order on every run and on replay.
 * A batch of events commits as one transaction (group commit); each event runs in its own
 * savepoint, so one event's failure leaves nothing of it behind and does not stop the others.
 */
export class Dispatcher {
  private cursor: number | null = null;
  private pendingBelowCursor: number[] = [];
  /** Ids the cursor passed over with no row yet (id → when): a slow commit may still fill them. */
  private watchedHoles = new Map<number, number>();
  private holesCheckedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private busy = false;
  private stopped = true;
  private readonly batchSize: number;
  private readonly gapGrace_ms: number;
  highestSeen = 0;

  constructor(private readonly db: Db, private readonly opts: DispatcherOptions) {
    this.batchSize = opts.batchSize ?? 200;
    this.gapGrace_ms = opts.gapGrace_ms ?? 500;
  }

  /** Events stored but not yet dispatched (an estimate: the inbox is the queue). */
  backlog(): number {
    return Math.max(0, this.highestSeen - (this.cursor ?? 0)) + this.pendingBelowCursor.length;
  }

  noteStored(inbox_id: number): void {
    if (inbox_id > this.highestSeen) this.highestSeen = inbox_id;
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
          this.cursor = null;
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
  }

  /** Dispatches until the inbox is drained (for tests, replay and the CLI). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce(true);
      total += n;
      if (n === 0) return total;
    }
  }

  /** One batch. Returns how many events got a result or a parking. */
  async runOnce(ignoreGaps = false): Promise<number> {
    // One batch at a time per process: callers queue behind the running one.
    const run = this.queue.then(() => this.runBatch(ignoreGaps));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  private queue: Promise<void> = Promise.resolve();

  private async runBatch(ignoreGaps: boolean): Promise<number> {
    this.busy = true;
    try {
      if (this.cursor === null) await this.loadCursor();
      await this.checkWatchedHoles(ignoreGaps);
      const batch = await this.nextBatch(ignoreGaps);
      if (batch.length === 0) return 0;
      try {
        await this.db.transaction(async (trx) => {
          this.parkedKeys = await this.loadParkedKeys(trx);
          for (const event of batch) await this.dispatchWithUnpark(trx, event);
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          // Another process dispatched these first: its results stand. Start again from the log.
          this.cursor = null;
          return 0;
        }
        throw err;
      }
      const last = batch[batch.length - 1]!.id;
      this.pendingBelowCursor = this.pendingBelowCursor.filter((id) => !batch.some((e) => e.id === id));
      if (last > (this.cursor ?? 0)) this.cursor = last;
      if (last > this.highestSeen) this.highestSeen = last;
      return batch.length;
    } finally {
      this.busy = false;
    }
  }

  private async loadCursor(): Promise<void> {
    const r = await this.db('event_results').max({ m: 'inbox_id' }).first();
    const p = await this.db('event_parkings').max({ m: 'inbox_id' }).first();
    this.cursor = Math.max(toInt(r?.m ?? 0), toInt(p?.m ?? 0));
    // Events below the cursor with neither a result nor a parking (a hole filled late).
    const rows = await this.db('inbox_events as i')
      .leftJoin('event_results as r', 'r.inbox_id', 'i.id')
      .leftJoin('event_parkings as p', 'p.inbox_id', 'i.id')
      .whereNull('r.id').whereNull('p.id').where('i.id', '<=', this.cursor)
      .orderBy('i.id').select('i.id');
    this.pendingBelowCursor = rows.map((x: { id: unknown }) => toInt(x.id));
    const max = await this.db('inbox_events').max({ m: 'id' }).first();
    this.highestSeen = Math.max(this.highestSeen, toInt(max?.m ?? 0));
  }

  private async nextBatch(ignoreGaps: boolean): Promise<InboxEvent[]> {
    if (this.pendingBelowCursor.length > 0) return readInboxById(this.db, this.pendingBelowCursor.slice(0, this.batchSize));
    const events = await readInboxAfter(this.db, this.cursor!, this.batchSize);
    const now = (this.opts.now_ms ?? Date.now)();
    const out: InboxEvent[] = [];
    let expected = this.cursor! + 1;
    for (const e of events) {
      // A hole may be an insert that has its id but has not committed yet: give it a moment, so
      // dispatch order stays the inbox order. Holes left by refused inserts are passed over.
      if (!ignoreGaps && e.id !== expected && now - Date.parse(e.received_at) < this.gapGrace_ms) break;
      this.watchHoles(expected, e.id, now);
      out.push(e);
      expected = e.id + 1;
    }
    return out;
  }

  private watchHoles(from: number, to: number, now: number): void {
    for (let id = from; id < to && this.watchedHoles.size < MAX_WATCHED_HOLES; id++) this.watchedHoles.set(id, now);
  }

  /**
   * A hole passed over may be an insert that committed later than the grace (another process, a
   * slow commit): once it appears it is dispatched out of turn rather than never. Holes left by
   * refused or rolled-back inserts never fill and are forgotten after HOLE_WATCH_MS.
   */
  private async checkWatchedHoles(force: boolean): Promise<void> {
    if (this.watchedHoles.size === 0) return;
    const now = (this.opts.now_ms ?? Date.now)();
    if (!force && now - this.holesCheckedAt < this.gapGrace_ms) return;
    this.holesCheckedAt = now;
    for (const [id, since] of this.watchedHoles) if (now - since > HOLE_WATCH_MS) this.watchedHoles.delete(id);
    const ids = [...this.watchedHoles.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const filled = ((await this.db('inbox_events').whereIn('id', chunk).select('id')) as Array<{ id: unknown }>).map((r) => toInt(r.id));
      if (filled.length === 0) continue;
      const results = await this.db('event_results').whereIn('inbox_id', filled).select('inbox_id');
      const parked = await this.db('event_parkings').whereIn('inbox_id', filled).select('inbox_id');
      const fated = new Set([...results, ...parked].map((r: { inbox_id: unknown }) => toInt(r.inbox_id)));
      for (const id of filled) {
        this.watchedHoles.delete(id);
        if (!fated.has(id) && !this.pendingBelowCursor.includes(id)) this.pendingBelowCursor.push(id);
      }
    }
    this.pendingBelowCursor.sort((a, b) => a - b);
  }

  private async dispatchWithUnpark(trx: Db, event: InboxEvent): Promise<void> {
    const outcome = await this.dispatchOne(trx, event);
    if (outcome.status === 'parked' || outcome.status === 'dead_lettered') return;
    const visited = new Set<number>([event.id]);
    let keys = outcome.keys;
    const queue: string[][] = [keys];
    let steps = 0;
    while (queue.length > 0 && steps < MAX_UNPARK_CHAIN) {
      keys = queue.shift()!;
      if (keys.length === 0) continue;
      for (const parked of await this.parkedFor(trx, keys)) {
        if (visited.has(parked.id)) continue;
        visited.add(parked.id);
        steps++;
        const again = await this.dispatchOne(trx, parked);
        if (again.status === 'processed' || again.status === 'ignored') queue.push(again.keys);
      }
    }
  }

  /** Streams with a parked event waiting, read once per batch (other processes may park too). */
  private parkedKeys = new Set<string>();

  private async loadParkedKeys(trx: Db): Promise<Set<string>> {
    const rows = await trx('inbox_events as i')
      .join('event_parkings as p', 'p.inbox_id', 'i.id')
      .leftJoin('event_results as r', 'r.inbox_id', 'i.id')
      .whereNull('r.id')
      .whereNotNull('i.stream_key')
      .distinct('i.stream_key');
    return new Set(rows.map((r: { stream_key: string }) => r.stream_key));
  }

  private async parkedFor(trx: Db, keys: string[]): Promise<InboxEvent[]> {
    // Most events unpark nothing: skip the query unless one of their streams has a parked event.
    if (!keys.some((k) => this.parkedKeys.has(k))) return [];
    const rows = await trx('inbox_events as i')
      .join('event_parkings as p', 'p.inbox_id', 'i.id')
      .leftJoin('event_results as r', 'r.inbox_id', 'i.id')
      .whereNull('r.id')
      .whereIn('i.stream_key', [...new Set(keys)])
      .distinct('i.id')
      .orderBy('i.id');
    return readInboxById(trx, rows.map((r: { id: unknown }) => toInt(r.id)));
  }

  /** Runs one event's handler in a savepoint and records its result, parking or dead letter. */
  async dispatchOne(trx: Db, event: InboxEvent): Promise<DispatchOutcome & { keys: string[] }> {
    const handler = HANDLERS[`${event.source}:${event.type}`];
    let result: HandlerResult;
    try {
      if (!handler) {
        result = { status: 'ignored', code: 'unhandled_type', reason: `no handler for ${event.source} ${event.type}` };
        await this.recordResult(trx, event, result);
      } else {
        result = await trx.transaction(async (sp) => {
          const r = await handler({ db: sp, event, payload: payloadOf(event) });
          await this.recordResult(sp, event, r);
          return r;
        });
      }
    } catch (err) {
      if (err instanceof ParkEvent) {
        if (event.stream_key) this.parkedKeys.add(event.stream_key);
        if (err.flagBooking) await flagBooking(trx, err.flagBooking, event.id, err.code, err.reason);
        await this.recordParking(trx, event, err.code, err.reason);
        this.opts.onResult?.('parked');
        return { status: 'parked', code: err.code, reason: err.reason, keys: [] };
      }
      if (isUniqueViolation(err) && (await trx('event_results').where({ inbox_id: event.id }).first('id'))) throw err;
      if (isRetryableDbError(err)) throw err;
      if (err instanceof RefuseEvent) await flagBooking(trx, err.flagBooking, event.id, err.flagCode, err.reason);
      const code = err instanceof DomainError || err instanceof RefuseEvent ? err.code : 'internal';
      const reason = err instanceof Error ? err.message : String(err);
      if (!(err instanceof DomainError) && !(err instanceof RefuseEvent)) this.opts.logger.error({ err, inbox_id: event.id }, 'handler failed; event dead-lettered');
      await this.recordResult(trx, event, { status: 'dead_lettered' as never, code, reason });
      this.opts.onResult?.('dead_lettered');
      return { status: 'dead_lettered', code, reason, keys: [] };
    }
    this.opts.onResult?.(result.status);
    return { status: result.status, code: result.code, reason: result.reason, keys: [...(event.stream_key ? [event.stream_key] : []), ...(result.keys ?? [])] };
  }

  private async recordResult(db: Db, event: InboxEvent, r: { status: string; code?: string; reason?: string }): Promise<void> {
    await db('event_results').insert({ inbox_id: event.id, status: r.status, code: r.code ?? null, reason: r.reason ?? null });
  }

  private async recordParking(db: Db, event: InboxEvent, code: string, reason: string): Promise<void> {
    const last = await db('event_results').max({ m: 'id' }).first();
    const after_result_id = toInt(last?.m ?? 0);
    const exists = await db('event_parkings').where({ inbox_id: event.id, after_result_id }).first('id');
    if (!exists) await db('event_parkings').insert({ inbox_id: event.id, after_result_id, code, reason });
  }
}

function payloadOf(event: InboxEvent): Record<string, unknown> {
  const raw = JSON.parse(event.payload) as Record<string, unknown>;
  if (event.source !== 'booking') return raw;
  const parsed = parseBookingEvent(raw);
  if (!parsed.ok) throw new DomainError('validation_failed', parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  return parsed.event as unknown as Record<string, unknown>;
}

function isRetryableDbError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY', 'ETIMEDOUT'].includes(code);
}
