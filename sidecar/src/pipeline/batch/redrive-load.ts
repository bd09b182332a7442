import { toInt, type Db } from '../../db/connect.js';
import type { OutboxFailure } from '../../flows/outbox/redrive-store.js';
import type { Effects } from '../../flows/effects.js';
import type { Needs } from './needs.js';

/** One outbound intent with its re-drive history (issue #12), as the log-derived tables hold it. */
export type RedriveHistory = {
  intent: { intent_id: string; decision_id: string; booking_id: string | null; operation: string; params: Record<string, unknown>; created_at: string };
  failures: OutboxFailure[];
  grants: Array<{ round: number; reason: string; granted_at: string }>;
  terminals: Array<{ round: number; reason: string; decision_id: string }>;
};

/** What the batch state keeps of re-drives: histories by intent, and the intents waiting for a decision. */
export type RedriveCache = { histories: Map<string, RedriveHistory | null>; awaiting: Set<string> | null };

/** Histories of the named intents: four statements per chunk, whatever their number. */
export async function loadRedriveHistories(db: Db, cache: RedriveCache, ids: string[], fx: Effects, chunk: <T>(l: T[]) => T[][]): Promise<number> {
  let statements = 0;
  for (const part of chunk(ids)) {
    const intents = (await db('outbox_intents as i').join('inbox_events as e', 'e.id', 'i.inbox_id').whereIn('i.intent_id', part)
      .select('i.intent_id', 'i.decision_id', 'i.booking_id', 'i.operation', 'i.params', 'e.occurred_at as created_at')) as Array<{ intent_id: string; decision_id: string; booking_id: string | null; operation: string; params: string; created_at: string }>;
    const failures = (await db('outbox_failures').whereIn('intent_id', part).orderBy('intent_id').orderBy('attempt')) as Array<Record<string, unknown>>;
    const grants = (await db('outbox_redrives').whereIn('intent_id', part).orderBy('intent_id').orderBy('round').select('intent_id', 'round', 'reason', 'granted_at')) as Array<{ intent_id: string; round: unknown; reason: string; granted_at: string }>;
    const terminals = (await db('outbox_terminals').whereIn('intent_id', part).orderBy('intent_id').orderBy('round').select('intent_id', 'round', 'reason', 'decision_id')) as Array<{ intent_id: string; round: unknown; reason: string; decision_id: string }>;
    statements += 4;
    const found = new Map<string, RedriveHistory>();
    for (const i of intents) found.set(i.intent_id, { intent: { ...i, params: JSON.parse(i.params) as Record<string, unknown> }, failures: [], grants: [], terminals: [] });
    // Intents decided earlier in this batch are not in the database yet: their history is empty, and
    // starts, as a stored one's, at its creating event's time (that event is in the inbox already).
    const mine = fx.intents.filter((i) => part.includes(i.intent_id) && !found.has(i.intent_id));
    const createdAt = new Map<number, string>();
    if (mine.length > 0) {
      const rows = (await db('inbox_events').whereIn('id', [...new Set(mine.map((i) => i.inbox_id))]).select('id', 'occurred_at')) as Array<{ id: unknown; occurred_at: string }>;
      statements++;
      for (const r of rows) createdAt.set(toInt(r.id), r.occurred_at);
    }
    for (const i of mine) {
      if (found.has(i.intent_id)) continue; // the first decided wins, as in the table (a key already taken is skipped)
      const created_at = createdAt.get(i.inbox_id);
      if (created_at === undefined) throw new Error(`invariant violated: intent ${i.intent_id} made by inbox event ${i.inbox_id}, which is not in the inbox`);
      found.set(i.intent_id, { intent: { intent_id: i.intent_id, decision_id: i.decision_id, booking_id: i.booking_id, operation: i.operation, params: i.params, created_at }, failures: [], grants: [], terminals: [] });
    }
    for (const f of failures) found.get(String(f.intent_id))?.failures.push({
      intent_id: String(f.intent_id), attempt: toInt(f.attempt), round_ended: Boolean(f.round_ended), retryable: Boolean(f.retryable), http_status: f.http_status == null ? null : toInt(f.http_status),
      error_code: (f.error_code as string | null) ?? null, error_message: (f.error_message as string | null) ?? null, request_id: (f.request_id as string | null) ?? null, inbox_id: toInt(f.inbox_id), occurred_at: String(f.occurred_at),
    });
    for (const g of grants) found.get(g.intent_id)?.grants.push({ round: toInt(g.round), reason: g.reason, granted_at: g.granted_at });
    for (const t of terminals) found.get(t.intent_id)?.terminals.push({ round: toInt(t.round), reason: t.reason, decision_id: t.decision_id });
    for (const id of part) if (!cache.histories.has(id)) cache.histories.set(id, found.get(id) ?? null);
  }
  return statements;
}

/** Intents whose ended rounds outnumber their grants (two statements), with the batch's own effects folded in. */
export async function loadAwaitingRedrive(db: Db, cache: RedriveCache, fx: Effects, next: Needs): Promise<number> {
  const ended = (await db('outbox_failures').where({ round_ended: true }).groupBy('intent_id').select('intent_id').count({ n: '*' })) as Array<{ intent_id: string; n: unknown }>;
  const granted = (await db('outbox_redrives').groupBy('intent_id').select('intent_id').count({ n: '*' })) as Array<{ intent_id: string; n: unknown }>;
  const e = new Map(ended.map((r) => [r.intent_id, toInt(r.n)]));
  const g = new Map(granted.map((r) => [r.intent_id, toInt(r.n)]));
  for (const f of fx.outboxFailures) if (f.round_ended) e.set(f.intent_id, (e.get(f.intent_id) ?? 0) + 1);
  for (const r of fx.redrives) g.set(r.intent_id, (g.get(r.intent_id) ?? 0) + 1);
  cache.awaiting = new Set([...e].filter(([id, n]) => n > (g.get(id) ?? 0)).map(([id]) => id));
  for (const id of cache.awaiting) if (!cache.histories.has(id)) next.outboxIntents.add(id);
  return 2;
}
