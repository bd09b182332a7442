import { DomainError, sha256Hex } from '../kernel/index.js';
import { toInt, type Db } from '../db/connect.js';
import { mayChangeOnResend, sameJson, type InboxEventInput, type StoreResult } from './inbox.js';

type Pending = { input: InboxEventInput & { payload_hash: string }; resolve: (r: StoreResult) => void; reject: (e: unknown) => void };

export const MAX_GROUP = 500;

/**
 * Group commit for the inbox: requests that arrive while a commit is in flight are written
 * together in the next one, so a durable acknowledgement costs one fsync per group, not per
 * event. Each request still gets its own answer (stored, duplicate, or conflict) and is
 * acknowledged only after its row is committed. Order within a group is arrival order.
 */
export class InboxWriter {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Db) {}

  store(input: InboxEventInput): Promise<StoreResult> {
    const payload_hash = `sha256:${sha256Hex(input.payload)}`;
    return new Promise((resolve, reject) => {
      this.queue.push({ input: { ...input, payload_hash }, resolve, reject });
      if (!this.flushing) {
        // Start the group on the next turn of the event loop, so requests already read from
        // sockets join it (better-sqlite3 is synchronous: a group started now would hold one).
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          const results = await this.writeGroup(group);
          group.forEach((p, i) => {
            const r = results[i]!;
            if (r instanceof Error) p.reject(r);
            else p.resolve(r);
          });
        } catch (e) {
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeGroup(group: Pending[]): Promise<Array<StoreResult | Error>> {
    // No explicit transaction: the one multi-row INSERT is atomic and durable by itself (one
    // commit, one fsync), and the lookups around it only read committed rows.
    const trx = this.db;
    {
      const keyOf = (source: string, event_id: string) => `${source}\u0000${event_id}`;
      const wanted = new Map<string, Pending['input']>();
      for (const p of group) if (!wanted.has(keyOf(p.input.source, p.input.event_id))) wanted.set(keyOf(p.input.source, p.input.event_id), p.input);
      const lookup = async () => {
        const bySource = new Map<string, string[]>();
        for (const i of wanted.values()) bySource.set(i.source, [...(bySource.get(i.source) ?? []), i.event_id]);
        const found = new Map<string, { id: number; payload_hash: string }>();
        for (const [source, ids] of bySource) {
          const rows = await trx('inbox_events').where({ source }).whereIn('event_id', ids).select('id', 'event_id', 'payload_hash');
          for (const r of rows) found.set(keyOf(source, r.event_id), { id: toInt(r.id), payload_hash: r.payload_hash });
        }
        return found;
      };
      const before = await lookup();
      const fresh = [...wanted.entries()].filter(([k]) => !before.has(k)).map(([, v]) => v);
      if (fresh.length > 0) await trx('inbox_events').insert(fresh).onConflict(['source', 'event_id']).ignore();
      const after = fresh.length > 0 ? await lookup() : before;
      const firstSeen = new Set<string>();
      // A different hash may still be the same JSON re-serialised by a resending engine: compare content.
      const differs = group.filter((p) => { const r = after.get(keyOf(p.input.source, p.input.event_id)); return r && !mayChangeOnResend(p.input.source) && r.payload_hash !== p.input.payload_hash; });
      const resent = new Set<Pending>();
      for (const p of differs) {
        const row = await trx('inbox_events').where({ source: p.input.source, event_id: p.input.event_id }).first('payload');
        if (row && sameJson(row.payload, p.input.payload)) resent.add(p);
      }
      return group.map((p) => {
        const k = keyOf(p.input.source, p.input.event_id);
        const row = after.get(k);
        if (!row) return new Error(`inbox row for ${p.input.source}/${p.input.event_id} missing after insert`);
        const insertedHere = !before.has(k) && row.payload_hash === wanted.get(k)!.payload_hash && !firstSeen.has(k);
        firstSeen.add(k);
        if (!insertedHere && !mayChangeOnResend(p.input.source) && row.payload_hash !== p.input.payload_hash && !resent.has(p)) {
          return new DomainError('idempotency_conflict', `event ${p.input.event_id} was already received with a different body`, { event_id: p.input.event_id });
        }
        return { inbox_id: row.id, duplicate: !insertedHere };
      });
    }
  }
}
