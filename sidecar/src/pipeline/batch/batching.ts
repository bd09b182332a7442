import { toInt, type Db } from '../../db/connect.js';
import { readInboxAfter, readInboxById, type InboxEvent } from '../../sari/inbox.js';

/** How long a passed-over hole is watched for a late commit, and how many holes at most. */
const HOLE_WATCH_MS = 60_000;
const MAX_WATCHED_HOLES = 10_000;

/**
 * Which stored events come next, in inbox order: the cursor (the highest id with a result or a
 * parking), the gap grace (an id taken by an insert still committing), holes passed over and
 * watched for a late commit, and events below the cursor that never got a fate (after a restart).
 */
export class InboxCursor {
  cursor: number | null = null;
  pendingBelowCursor: number[] = [];
  /** Ids the cursor passed over with no row yet (id → when): a slow commit may still fill them. */
  private watchedHoles = new Map<number, number>();
  private holesCheckedAt = 0;
  highestSeen = 0;

  constructor(private readonly db: Db, private readonly gapGrace_ms: number, private readonly now_ms: () => number) {}

  backlog(): number {
    return Math.max(0, this.highestSeen - (this.cursor ?? 0)) + this.pendingBelowCursor.length;
  }

  reset(): void {
    this.cursor = null;
  }

  async load(): Promise<void> {
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

  /** Up to `limit` events to dispatch next, in inbox order. */
  async next(limit: number, ignoreGaps: boolean): Promise<InboxEvent[]> {
    if (this.cursor === null) await this.load();
    await this.checkWatchedHoles(ignoreGaps);
    if (this.pendingBelowCursor.length > 0) return readInboxById(this.db, this.pendingBelowCursor.slice(0, limit));
    const events = await readInboxAfter(this.db, this.cursor!, limit);
    const now = this.now_ms();
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

  /** The events that now have a fate: the cursor moves past them. */
  advance(done: InboxEvent[]): void {
    if (done.length === 0) return;
    const ids = new Set(done.map((e) => e.id));
    this.pendingBelowCursor = this.pendingBelowCursor.filter((id) => !ids.has(id));
    const last = Math.max(...ids);
    if (last > (this.cursor ?? 0)) this.cursor = last;
    if (last > this.highestSeen) this.highestSeen = last;
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
    const now = this.now_ms();
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
}
