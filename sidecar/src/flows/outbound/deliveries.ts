import { DomainError } from '../../kernel/index.js';
import { isUniqueViolation, toInt, type Db } from '../../db/connect.js';
import { currentEndpoints, type Endpoint } from './endpoints.js';

/**
 * A delivery is one outbound event to one endpoint. It has no row of its own: its state is the
 * latest of its append-only attempt rows (none yet: pending). A re-send by the operator is a row
 * too (outcome `resend`) that opens a new round of attempts.
 */
export type AttemptOutcome = 'delivered' | 'retryable' | 'dead' | 'gone' | 'resend';
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'dead' | 'gone';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'retrying', 'delivered', 'dead', 'gone'];
const FINAL: AttemptOutcome[] = ['delivered', 'dead'];

export type AttemptRow = {
  event_id: string; endpoint_id: string; round: number; attempt: number; outcome: AttemptOutcome; http_status: number | null;
  error_code: string | null; error_message: string | null; duration_ms: number | null; attempted_at: string; next_attempt_at: string | null;
};

export type OutboundEventRow = { id: number; event_id: string; type: string; stream_key: string; seq: number; booking_id: string | null; host_id: string | null; occurred_at: string; body: string };

function eventFromRow(r: Record<string, unknown>): OutboundEventRow {
  return { id: toInt(r.id), event_id: String(r.event_id), type: String(r.type), stream_key: String(r.stream_key), seq: toInt(r.seq), booking_id: (r.booking_id as string) ?? null, host_id: (r.host_id as string) ?? null, occurred_at: String(r.occurred_at), body: String(r.body) };
}

function attemptFromRow(r: Record<string, unknown>): AttemptRow {
  return { ...(r as AttemptRow), round: toInt(r.round), attempt: toInt(r.attempt), http_status: r.http_status == null ? null : toInt(r.http_status), duration_ms: r.duration_ms == null ? null : toInt(r.duration_ms) };
}

/** Events this endpoint has subscribed to since it was added, whose delivery is not final. */
function openEventsQuery(db: Db, e: Endpoint) {
  const q = db('outbound_events as e').where('e.id', '>', e.from_event_row)
    .whereNotExists(
      db('outbound_attempts as f').whereRaw('f.event_id = e.event_id').andWhere('f.endpoint_id', e.endpoint_id).whereIn('f.outcome', FINAL)
        .whereNotExists(db('outbound_attempts as g').whereRaw('g.event_id = f.event_id').andWhereRaw('g.endpoint_id = f.endpoint_id').andWhereRaw('g.id > f.id')),
    );
  if (!e.events.includes('*')) q.whereIn('e.type', e.events);
  return q;
}

export type Head = { event: OutboundEventRow; attempts: AttemptRow[] };

/**
 * The head of each stream for an endpoint: its oldest event not yet delivered or dead. Only a
 * head may be attempted — the next event of a booking waits for it — while heads of different
 * bookings go in parallel. `limit` bounds how many streams one pass looks at.
 */
export async function openHeads(db: Db, e: Endpoint, limit = 1000): Promise<Head[]> {
  const firsts = (await openEventsQuery(db, e).groupBy('e.stream_key').select('e.stream_key').min({ id: 'e.id' }).orderBy('id').limit(limit)) as Array<{ id: unknown }>;
  if (firsts.length === 0) return [];
  const events = ((await db('outbound_events').whereIn('id', firsts.map((f) => toInt(f.id))).orderBy('id')) as Array<Record<string, unknown>>).map(eventFromRow);
  const attempts = ((await db('outbound_attempts').where({ endpoint_id: e.endpoint_id }).whereIn('event_id', events.map((x) => x.event_id)).orderBy('id')) as Array<Record<string, unknown>>).map(attemptFromRow);
  const byEvent = new Map<string, AttemptRow[]>();
  for (const a of attempts) byEvent.set(a.event_id, [...(byEvent.get(a.event_id) ?? []), a]);
  return events.map((event) => ({ event, attempts: currentRound(byEvent.get(event.event_id) ?? []) }));
}

/** The rows of the latest round (a re-send starts a new one). */
function currentRound(rows: AttemptRow[]): AttemptRow[] {
  if (rows.length === 0) return [];
  const round = Math.max(...rows.map((r) => r.round));
  return rows.filter((r) => r.round === round);
}

/** Appends an attempt. False when another worker recorded the same attempt first (its row stands). */
export async function appendAttempt(db: Db, a: AttemptRow): Promise<boolean> {
  try {
    await db('outbound_attempts').insert(a);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

export function statusOf(latest: AttemptRow | undefined): DeliveryStatus {
  if (!latest || latest.outcome === 'resend') return 'pending';
  return latest.outcome === 'retryable' ? 'retrying' : latest.outcome;
}

export type DeliveryView = {
  event_id: string; endpoint_id: string; type: string; booking_id: string | null; host_id: string | null; seq: number; occurred_at: string;
  status: DeliveryStatus; round: number; attempts: number; last_attempt: Omit<AttemptRow, 'event_id' | 'endpoint_id'> | null;
};

/**
 * Deliveries by status, oldest event first (GET /outbound/deliveries?status=). A dead letter
 * stays listed as dead until an operator re-sends it.
 */
export async function listDeliveries(db: Db, f: { status?: DeliveryStatus; endpoint_id?: string; booking_id?: string; limit?: number } = {}): Promise<DeliveryView[]> {
  const limit = Math.min(f.limit ?? 100, 1000);
  const endpoints = (await currentEndpoints(db)).filter((e) => !f.endpoint_id || e.endpoint_id === f.endpoint_id);
  const out: DeliveryView[] = [];
  for (const e of endpoints) {
    let q = db('outbound_events as e').where('e.id', '>', e.from_event_row).orderBy('e.id');
    if (!e.events.includes('*')) q = q.whereIn('e.type', e.events);
    if (f.booking_id) q = q.where('e.booking_id', f.booking_id);
    if (f.status === 'delivered' || f.status === 'dead' || f.status === 'retrying' || f.status === 'gone') {
      // Only events whose latest attempt row to this endpoint has that outcome.
      const outcome = f.status === 'retrying' ? 'retryable' : f.status;
      q = q.whereExists(db('outbound_attempts as f').whereRaw('f.event_id = e.event_id').andWhere('f.endpoint_id', e.endpoint_id).andWhere('f.outcome', outcome)
        .whereNotExists(db('outbound_attempts as g').whereRaw('g.event_id = f.event_id').andWhereRaw('g.endpoint_id = f.endpoint_id').andWhereRaw('g.id > f.id')));
    } else if (f.status === 'pending') {
      q = q.whereNotExists(db('outbound_attempts as f').whereRaw('f.event_id = e.event_id').andWhere('f.endpoint_id', e.endpoint_id).whereIn('f.outcome', FINAL)
        .whereNotExists(db('outbound_attempts as g').whereRaw('g.event_id = f.event_id').andWhereRaw('g.endpoint_id = f.endpoint_id').andWhereRaw('g.id > f.id')));
    }
    const events = ((await q.limit(limit - out.length).select('e.*')) as Array<Record<string, unknown>>).map(eventFromRow);
    if (events.length === 0) continue;
    const rows = ((await db('outbound_attempts').where({ endpoint_id: e.endpoint_id }).whereIn('event_id', events.map((x) => x.event_id)).orderBy('id')) as Array<Record<string, unknown>>).map(attemptFromRow);
    for (const ev of events) {
      const round = currentRound(rows.filter((r) => r.event_id === ev.event_id));
      const latest = round[round.length - 1];
      const status = statusOf(latest);
      if (f.status && status !== f.status) continue;
      const { event_id: _e, endpoint_id: _p, ...last } = latest ?? ({} as AttemptRow);
      out.push({
        event_id: ev.event_id, endpoint_id: e.endpoint_id, type: ev.type, booking_id: ev.booking_id, host_id: ev.host_id, seq: ev.seq, occurred_at: ev.occurred_at,
        status, round: latest?.round ?? 0, attempts: round.filter((r) => r.outcome !== 'resend').length, last_attempt: latest ? last : null,
      });
    }
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The operator sends a delivery again (a notification, not money): a new round of attempts with
 * the same webhook-id, so a consumer that already applied it ignores it. Only a delivery that is
 * final (delivered or dead) can be re-sent; one still being tried is already on its way.
 */
export async function resendDelivery(db: Db, x: { event_id: string; endpoint_id: string; now_iso: string }): Promise<{ round: number }> {
  const ev = await db('outbound_events').where({ event_id: x.event_id }).first('event_id');
  if (!ev) throw new DomainError('not_found', `no outbound event ${x.event_id}`);
  const rows = ((await db('outbound_attempts').where({ event_id: x.event_id, endpoint_id: x.endpoint_id }).orderBy('id')) as Array<Record<string, unknown>>).map(attemptFromRow);
  const latest = rows[rows.length - 1];
  if (!latest || !FINAL.includes(latest.outcome)) throw new DomainError('illegal_transition', `delivery of ${x.event_id} to ${x.endpoint_id} is ${statusOf(latest)}: only a delivered or dead delivery can be re-sent`);
  const round = latest.round + 1;
  const ok = await appendAttempt(db, { event_id: x.event_id, endpoint_id: x.endpoint_id, round, attempt: 0, outcome: 'resend', http_status: null, error_code: null, error_message: 'sent again by the operator', duration_ms: null, attempted_at: x.now_iso, next_attempt_at: x.now_iso });
  if (!ok) throw new DomainError('illegal_transition', 'this delivery was just re-sent');
  return { round };
}

/** Deliveries whose latest attempt is dead (for the metrics). */
export async function countDeadLetters(db: Db): Promise<number> {
  const r = await db('outbound_attempts as f').where('f.outcome', 'dead')
    .whereNotExists(db('outbound_attempts as g').whereRaw('g.event_id = f.event_id').andWhereRaw('g.endpoint_id = f.endpoint_id').andWhereRaw('g.id > f.id'))
    .count({ n: '*' }).first();
  return toInt(r?.n ?? 0);
}
