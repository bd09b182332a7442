import { toInt, type Db } from '../../db/connect.js';

/** A failed attempt as the log recorded it (dispatch of stripe_api `outbox.attempt_failed`). */
export type OutboxFailure = {
  intent_id: string; attempt: number; round_ended: boolean; retryable: boolean;
  http_status: number | null; error_code: string | null; error_message: string | null; request_id: string | null;
  inbox_id: number; occurred_at: string;
};

export async function recordFailure(db: Db, f: OutboxFailure): Promise<boolean> {
  const existing = await db('outbox_failures').where({ intent_id: f.intent_id, attempt: f.attempt }).first('id');
  if (existing) return false;
  await db('outbox_failures').insert(f);
  return true;
}

export async function failuresOf(db: Db, intent_id: string): Promise<OutboxFailure[]> {
  const rows = await db('outbox_failures').where({ intent_id }).orderBy('attempt');
  return rows.map((r: OutboxFailure) => ({ ...r, attempt: toInt(r.attempt), inbox_id: toInt(r.inbox_id), round_ended: Boolean(r.round_ended), retryable: Boolean(r.retryable), http_status: r.http_status === null ? null : toInt(r.http_status) }));
}

/** Intents whose ended rounds (as the log saw them) outnumber their grants: waiting for a decision. */
export async function intentsAwaitingRedrive(db: Db): Promise<string[]> {
  const ended = (await db('outbox_failures').where({ round_ended: true }).groupBy('intent_id').select('intent_id').count({ n: '*' })) as Array<{ intent_id: string; n: unknown }>;
  if (ended.length === 0) return [];
  const granted = (await db('outbox_redrives').groupBy('intent_id').select('intent_id').count({ n: '*' })) as Array<{ intent_id: string; n: unknown }>;
  const g = new Map(granted.map((r) => [r.intent_id, toInt(r.n)]));
  return ended.filter((r) => toInt(r.n) > (g.get(r.intent_id) ?? 0)).map((r) => r.intent_id).sort();
}

export async function addRedrive(db: Db, r: { intent_id: string; round: number; reason: 'schedule' | 'retry_requested'; lookup_first: boolean; granted_at: string; decision_id: string; inbox_id: number }): Promise<void> {
  await db('outbox_redrives').insert(r);
}

export async function addTerminal(db: Db, t: { intent_id: string; round: number; reason: string; decision_id: string; inbox_id: number }): Promise<void> {
  await db('outbox_terminals').insert(t);
}

export async function terminalsOf(db: Db, intent_id: string): Promise<Array<{ round: number; reason: string; decision_id: string }>> {
  const rows = await db('outbox_terminals').where({ intent_id }).orderBy('round').select('round', 'reason', 'decision_id');
  return rows.map((r: { round: unknown; reason: string; decision_id: string }) => ({ ...r, round: toInt(r.round) }));
}

/** The shape NORA's nextRedrive reads (nora/retry.ts RedriveState), kept here so FLOWS does not import NORA. */
export type RedriveState = { created_at: string; rounds_ended: number; rounds_granted: number; round_started_at: string; scheduled_since_open: number; last_terminal: boolean; terminal_recorded: boolean };

/** NORA's view of one intent's re-drive history, from the log-derived tables only (replay agrees). */
export async function redriveState(db: Db, intent_id: string): Promise<RedriveState & { reopens: number }> {
  const intent = await db('outbox_intents as i').join('inbox_events as e', 'e.id', 'i.inbox_id').where('i.intent_id', intent_id).first('e.occurred_at as created_at');
  const failures = (await failuresOf(db, intent_id)).filter((f) => f.round_ended);
  const grants = (await db('outbox_redrives').where({ intent_id }).orderBy('round').select('round', 'reason', 'granted_at')) as Array<{ round: unknown; reason: string; granted_at: string }>;
  const terminals = await terminalsOf(db, intent_id);
  const lastOpen = grants.map((g) => g.reason).lastIndexOf('retry_requested');
  const last = failures.at(-1);
  return {
    created_at: intent.created_at,
    rounds_ended: failures.length,
    rounds_granted: grants.length,
    round_started_at: grants.at(-1)?.granted_at ?? intent.created_at,
    scheduled_since_open: grants.slice(lastOpen + 1).filter((g) => g.reason === 'schedule').length,
    last_terminal: last ? !last.retryable : false,
    terminal_recorded: terminals.some((t) => t.round === grants.length),
    reopens: grants.filter((g) => g.reason === 'retry_requested').length,
  };
}
