import { canonicalJson, DomainError, sha256Hex } from '../kernel/index.js';
import { isUniqueViolation, toInt, type Db } from '../db/connect.js';

export type InboxSource = 'stripe' | 'booking' | 'policy' | 'stripe_api' | 'clock';

/**
 * Stripe's own: a webhook resent with changed delivery fields, or an API object answered again
 * after it changed (a plan change, then a cancellation, both return `subscription:<s>`; docs/deviations.md
 * #14 item 8) — the first copy stands and the later one is a duplicate, never a conflict.
 */
export const mayChangeOnResend = (source: InboxSource): boolean => source === 'stripe' || source === 'stripe_api';

export type InboxEventInput = {
  source: InboxSource;
  event_id: string;
  type: string;
  stream_key: string | null;
  occurred_at: string;
  payload: string;
  received_at: string;
};

export type InboxEvent = InboxEventInput & { id: number; payload_hash: string };

export type StoreResult = { inbox_id: number; duplicate: boolean };

/**
 * Stores an event exactly once (unique on source + event id). A duplicate changes nothing. For
 * events we sign ourselves, the same id with a different body is a conflict, not a duplicate:
 * Stripe may resend an event with changed delivery fields (mayChangeOnResend), the booking engine must not.
 */
export async function storeInboxEvent(db: Db, input: InboxEventInput): Promise<StoreResult> {
  const payload_hash = `sha256:${sha256Hex(input.payload)}`;
  try {
    const [id] = await db('inbox_events').insert({ ...input, payload_hash });
    return { inbox_id: toInt(id), duplicate: false };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const existing = await db('inbox_events').where({ source: input.source, event_id: input.event_id }).first('id', 'payload_hash', 'payload');
    if (!existing) throw e;
    if (!mayChangeOnResend(input.source) && existing.payload_hash !== payload_hash && !sameJson(existing.payload, input.payload)) {
      throw new DomainError('idempotency_conflict', `event ${input.event_id} was already received with a different body`, { event_id: input.event_id });
    }
    return { inbox_id: toInt(existing.id), duplicate: true };
  }
}

/** The same JSON value however it was serialised (key order, spacing): a resend, not a conflict. */
export function sameJson(a: string, b: string): boolean {
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return false;
  }
}

type InboxRow = Omit<InboxEvent, 'id'> & { id: number | string };

function fromRow(r: InboxRow): InboxEvent {
  return { ...r, id: toInt(r.id) };
}

export async function readInboxEvent(db: Db, source: string, event_id: string): Promise<InboxEvent | undefined> {
  const row = (await db('inbox_events').where({ source, event_id }).first()) as InboxRow | undefined;
  return row ? fromRow(row) : undefined;
}

export async function readInboxById(db: Db, ids: number[]): Promise<InboxEvent[]> {
  if (ids.length === 0) return [];
  const rows = (await db('inbox_events').whereIn('id', ids).orderBy('id')) as InboxRow[];
  return rows.map(fromRow);
}

/** Events after `afterId` in inbox order. */
export async function readInboxAfter(db: Db, afterId: number, limit: number): Promise<InboxEvent[]> {
  const rows = (await db('inbox_events').where('id', '>', afterId).orderBy('id').limit(limit)) as InboxRow[];
  return rows.map(fromRow);
}

export async function maxInboxId(db: Db): Promise<number> {
  const row = await db('inbox_events').max({ m: 'id' }).first();
  return toInt(row?.m ?? 0);
}

export type InboxStatus = {
  status: 'received' | 'processed' | 'parked' | 'dead_lettered' | 'ignored';
  code: string | null;
  reason: string | null;
  parkings: Array<{ code: string; reason: string }>;
};

/** The fate of an event, derived from the result and parking rows (never a mutable field). */
export async function inboxStatus(db: Db, inbox_id: number): Promise<InboxStatus> {
  const result = await db('event_results').where({ inbox_id }).first('status', 'code', 'reason');
  const parkings = (await db('event_parkings').where({ inbox_id }).orderBy('id').select('code', 'reason')) as Array<{ code: string; reason: string }>;
  if (result) return { status: result.status, code: result.code, reason: result.reason, parkings };
  if (parkings.length > 0) {
    const last = parkings[parkings.length - 1]!;
    return { status: 'parked', code: last.code, reason: last.reason, parkings };
  }
  return { status: 'received', code: null, reason: null, parkings };
}
