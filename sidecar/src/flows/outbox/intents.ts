import { canonicalJson } from '../../kernel/index.js';
import { toInt, type Db } from '../../db/connect.js';

export type OutboxOperation = 'refund' | 'transfer' | 'transfer_reversal' | 'balance_transaction' | 'dispute_evidence'
  // the daily reconciliation (issue #12): reads Stripe and the ledger, moves nothing
  | 'reconcile_day'
  // host subscriptions (#14)
  | 'invoice_fee' | 'invoice_pay_out_of_band' | 'subscription_update' | 'subscription_cancel';

export type OutboxIntent = {
  intent_id: string; // the Stripe idempotency key: derived from the decision, never random
  decision_id: string;
  booking_id: string | null;
  operation: OutboxOperation;
  params: Record<string, unknown>;
  inbox_id: number;
};

export function intentIdFor(operation: OutboxOperation, decision_id: string): string {
  return `mybnb:${operation}:${decision_id}`;
}

/** Writes the intent in the caller's transaction (the decision's). A second write is a no-op. */
export async function addIntent(db: Db, intent: OutboxIntent): Promise<void> {
  const existing = await db('outbox_intents').where({ intent_id: intent.intent_id }).first('intent_id');
  if (existing) return;
  await db('outbox_intents').insert({ ...intent, params: canonicalJson(intent.params) });
}

export type OutboxAttempt = {
  intent_id: string; attempt: number; outcome: 'succeeded' | 'retryable' | 'failed' | 'exhausted';
  http_status: number | null; error_code: string | null; error_message: string | null; stripe_object_id: string | null;
  attempted_at: string; next_attempt_at: string | null;
  /** Stripe's Request-Id of the call (null when nothing answered). */
  request_id?: string | null;
};

export type IntentStatus = OutboxIntent & { status: 'pending' | 'retrying' | 'succeeded' | 'failed' | 'exhausted'; attempts: OutboxAttempt[] };

type IntentRow = Omit<OutboxIntent, 'params' | 'inbox_id'> & { params: string; inbox_id: unknown };

export async function intentsWithStatus(db: Db, filter: { booking_id?: string; intent_ids?: string[] } = {}): Promise<IntentStatus[]> {
  let q = db('outbox_intents').orderBy('inbox_id').orderBy('intent_id');
  if (filter.booking_id) q = q.where({ booking_id: filter.booking_id });
  if (filter.intent_ids) q = q.whereIn('intent_id', filter.intent_ids);
  const rows = (await q) as IntentRow[];
  if (rows.length === 0) return [];
  const attempts = (await db('outbox_attempts').whereIn('intent_id', rows.map((r) => r.intent_id)).orderBy('id')) as OutboxAttempt[];
  const grants = (await db('outbox_redrives').whereIn('intent_id', rows.map((r) => r.intent_id)).select('intent_id')) as Array<{ intent_id: string }>;
  return rows.map((r) => {
    const mine = attempts.filter((a) => a.intent_id === r.intent_id).map((a) => ({ ...a, attempt: toInt(a.attempt) }));
    const last = mine[mine.length - 1];
    const granted = grants.filter((g) => g.intent_id === r.intent_id).length;
    const ended = mine.filter((a) => a.outcome === 'failed' || a.outcome === 'exhausted').length;
    // A round re-opened by the retry schedule or money.retry_requested and not yet tried: pending again.
    const reopened = last && last.outcome !== 'succeeded' && ended <= granted && (last.outcome === 'failed' || last.outcome === 'exhausted');
    const status = !last || reopened ? 'pending' : last.outcome === 'retryable' ? 'retrying' : last.outcome;
    return { ...r, inbox_id: toInt(r.inbox_id), params: JSON.parse(r.params), status, attempts: mine };
  });
}

export type IntentCursor = { inbox_id: number; intent_id: string };

/**
 * Intents the worker may call now, oldest first; `after` pages on from the last one seen. An intent
 * is open until it succeeds, and while it has no more ended rounds (a round ends `exhausted` or
 * `failed`) than rounds re-opened by the retry schedule or money.retry_requested (outbox_redrives).
 */
export async function openIntents(db: Db, limit = 100, after?: IntentCursor): Promise<IntentStatus[]> {
  const ended = db('outbox_attempts as e').count('*').whereRaw('e.intent_id = i.intent_id').whereIn('e.outcome', ['failed', 'exhausted']);
  const granted = db('outbox_redrives as g').count('*').whereRaw('g.intent_id = i.intent_id');
  let q = db('outbox_intents as i')
    .whereNotExists(db('outbox_attempts as s').whereRaw('s.intent_id = i.intent_id').andWhere('s.outcome', 'succeeded'))
    .where(db.raw('(?) <= (?)', [ended, granted]));
  if (after) {
    q = q.where((w) => w.where('i.inbox_id', '>', after.inbox_id).orWhere((x) => x.where('i.inbox_id', '=', after.inbox_id).andWhere('i.intent_id', '>', after.intent_id)));
  }
  const rows = (await q
    .orderBy('i.inbox_id').orderBy('i.intent_id')
    .limit(limit)
    .select('i.intent_id')) as Array<{ intent_id: string }>;
  return intentsWithStatus(db, { intent_ids: rows.map((r) => r.intent_id) });
}

export type Redrive = { intent_id: string; round: number; reason: 'schedule' | 'retry_requested'; lookup_first: boolean; granted_at: string; decision_id: string; inbox_id: number };

export async function redrivesOf(db: Db, intent_id: string): Promise<Redrive[]> {
  const rows = await db('outbox_redrives').where({ intent_id }).orderBy('round');
  return rows.map((r: Redrive) => ({ ...r, round: toInt(r.round), inbox_id: toInt(r.inbox_id), lookup_first: Boolean(r.lookup_first) }));
}

export async function appendAttempt(db: Db, a: OutboxAttempt): Promise<void> {
  await db('outbox_attempts').insert(a);
}

export async function allIntents(db: Db, status?: string): Promise<IntentStatus[]> {
  const all = await intentsWithStatus(db);
  return status ? all.filter((i) => i.status === status) : all;
}
