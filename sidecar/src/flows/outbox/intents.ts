import { canonicalJson } from '../../kernel/index.js';
import { toInt, type Db } from '../../db/connect.js';

export type OutboxOperation = 'refund' | 'transfer' | 'transfer_reversal' | 'balance_transaction'
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
  return rows.map((r) => {
    const mine = attempts.filter((a) => a.intent_id === r.intent_id).map((a) => ({ ...a, attempt: toInt(a.attempt) }));
    const last = mine[mine.length - 1];
    const status = !last ? 'pending' : last.outcome === 'retryable' ? 'retrying' : last.outcome;
    return { ...r, inbox_id: toInt(r.inbox_id), params: JSON.parse(r.params), status, attempts: mine };
  });
}

export type IntentCursor = { inbox_id: number; intent_id: string };

/** Intents with no final attempt yet, oldest first; `after` pages on from the last one seen. */
export async function openIntents(db: Db, limit = 100, after?: IntentCursor): Promise<IntentStatus[]> {
  let q = db('outbox_intents as i')
    .leftJoin('outbox_attempts as a', function () {
      this.on('a.intent_id', '=', 'i.intent_id').andOnIn('a.outcome', ['succeeded', 'failed', 'exhausted']);
    })
    .whereNull('a.intent_id');
  if (after) {
    q = q.where((w) => w.where('i.inbox_id', '>', after.inbox_id).orWhere((x) => x.where('i.inbox_id', '=', after.inbox_id).andWhere('i.intent_id', '>', after.intent_id)));
  }
  const rows = (await q
    .orderBy('i.inbox_id').orderBy('i.intent_id')
    .limit(limit)
    .select('i.intent_id')) as Array<{ intent_id: string }>;
  return intentsWithStatus(db, { intent_ids: rows.map((r) => r.intent_id) });
}

export async function appendAttempt(db: Db, a: OutboxAttempt): Promise<void> {
  await db('outbox_attempts').insert(a);
}

export async function allIntents(db: Db, status?: string): Promise<IntentStatus[]> {
  const all = await intentsWithStatus(db);
  return status ? all.filter((i) => i.status === status) : all;
}
