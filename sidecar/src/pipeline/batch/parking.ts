import { toInt, type Db } from '../../db/connect.js';
import { readInboxById, type InboxEvent } from '../../sari/inbox.js';

/**
 * Parked events and their streams, for one batch: loaded in one statement, kept current as the
 * batch parks and unparks. A parking row is added only when something changed since the event's
 * last one (`after_result_id`), so a parked event never grows the log while nothing happens.
 */
export class Parking {
  /** stream key → parked inbox ids (no result yet). */
  private byKey = new Map<string, Set<number>>();
  private keyOf = new Map<number, string>();
  /** The after_result_id of each parked event's last parking row. */
  private lastParking = new Map<number, number>();
  private rows = new Set<string>();
  private known = new Map<number, InboxEvent>();
  readonly parkings: unknown[][] = [];

  constructor(private readonly lastResultId: number) {}

  static async load(db: Db): Promise<Parking> {
    const last = await db('event_results').max({ m: 'id' }).first();
    const p = new Parking(toInt(last?.m ?? 0));
    const rows = (await db('inbox_events as i')
      .join('event_parkings as p', 'p.inbox_id', 'i.id')
      .leftJoin('event_results as r', 'r.inbox_id', 'i.id')
      .whereNull('r.id')
      .groupBy('i.id', 'i.stream_key')
      .select('i.id', 'i.stream_key')
      .max({ after: 'p.after_result_id' })) as Array<{ id: unknown; stream_key: string | null; after: unknown }>;
    for (const r of rows) {
      const id = toInt(r.id);
      p.lastParking.set(id, toInt(r.after));
      if (r.stream_key) p.track(id, r.stream_key);
    }
    return p;
  }

  private track(id: number, key: string): void {
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(id);
    this.keyOf.set(id, key);
  }

  /** Parks `event`: after `resultsBefore` results of this batch, the log's last result id is lastResultId + resultsBefore. */
  park(event: InboxEvent, code: string, reason: string, resultsBefore: number): void {
    const after = this.lastResultId + resultsBefore;
    this.known.set(event.id, event);
    if (event.stream_key) this.track(event.id, event.stream_key);
    const k = `${event.id}:${after}`;
    if (this.lastParking.get(event.id) === after || this.rows.has(k)) return;
    this.rows.add(k);
    this.parkings.push([event.id, after, code, reason]);
  }

  /** The event has a result now: it is parked no more. */
  settled(id: number): void {
    const key = this.keyOf.get(id);
    if (key) this.byKey.get(key)?.delete(id);
    this.keyOf.delete(id);
  }

  /** Parked events of these streams, in inbox order (read from the inbox when not seen in this batch). */
  async parkedFor(db: Db, keys: string[]): Promise<InboxEvent[]> {
    const ids = new Set<number>();
    for (const k of keys) for (const id of this.byKey.get(k) ?? []) ids.add(id);
    if (ids.size === 0) return [];
    const sorted = [...ids].sort((a, b) => a - b);
    const missing = sorted.filter((id) => !this.known.has(id));
    if (missing.length > 0) for (const e of await readInboxById(db, missing)) this.known.set(e.id, e);
    return sorted.map((id) => this.known.get(id)).filter((e): e is InboxEvent => e !== undefined);
  }
}
