import { hashOf } from '../kernel/index.js';
import { toInt, type Db } from '../db/connect.js';
import { readEntries, trialBalance, verifyLedger } from '../flows/ledger/index.js';

/**
 * What two runs that received the same events must agree on, independent of the order the
 * events were stored in. Why not the entry hashes themselves: an entry's hash chains its `seq`
 * and `prev_hash` (the order entries were posted, which across bookings follows the inbox order)
 * and its meta names `inbox_id` (where the event landed in that run's inbox). Both legitimately
 * differ between runs fed in different orders. Everything else an entry says — its idempotency
 * key, kind, booking, event time, description, lines, the event and decision it came from — must
 * be identical, and so must every balance, every decision and every event's final fate.
 */
export type LedgerSnapshot = {
  /** idempotency key → hash of the order-independent content of the entry */
  entries: Record<string, string>;
  /** the same content, for readable diffs */
  detail: Record<string, unknown>;
  balances: Record<string, string>;
  trial: Array<{ unit: string; debits: string; credits: string }>;
  decisions: Record<string, string>;
  states: Record<string, string>;
  verify: { ok: boolean; entries: number };
  /** the same money movement (booking, kind, lines) posted under two keys (there must be none) */
  duplicatePostings: string[];
};

export async function ledgerSnapshot(db: Db): Promise<LedgerSnapshot> {
  const all = await readEntries(db);
  const keyBySeq = new Map(all.map((e) => [e.seq, e.idempotency_key]));
  const entries: Record<string, string> = {};
  const detail: Record<string, unknown> = {};
  const perEvent = new Map<string, number>();
  for (const e of all) {
    const { inbox_id: _inbox, ...meta } = e.meta as Record<string, unknown>;
    const content = {
      kind: e.kind, booking_id: e.booking_id, occurred_at: e.occurred_at, description: e.description,
      reverses: e.reverses_seq === null ? null : keyBySeq.get(e.reverses_seq) ?? `seq:${e.reverses_seq}`,
      meta, lines: e.lines,
    };
    entries[e.idempotency_key] = hashOf(content);
    detail[e.idempotency_key] = content;
    const k = `${String(e.booking_id)}|${e.kind}|${canonicalLines(e.lines)}`;
    perEvent.set(k, (perEvent.get(k) ?? 0) + 1);
  }
  const tb = await trialBalance(db);
  const decisions: Record<string, string> = {};
  for (const d of (await db('decisions').select('decision_id', 'outcome_hash', 'input_hash', 'allowed', 'consent_hash')) as Array<Record<string, unknown>>) {
    decisions[String(d.decision_id)] = `${String(d.outcome_hash)}|${String(d.input_hash)}|${Number(d.allowed)}|${String(d.consent_hash)}`;
  }
  const states: Record<string, string> = {};
  const transitions = (await db('booking_transitions').orderBy('booking_id').orderBy('step').select('booking_id', 'to_state')) as Array<{ booking_id: string; to_state: string }>;
  for (const t of transitions) states[t.booking_id] = t.to_state;
  const v = await verifyLedger(db);
  return {
    entries, detail,
    balances: Object.fromEntries(tb.accounts.map((a) => [a.account, `${a.unit} ${a.balance_minor}`])),
    trial: tb.rows.map((r) => ({ unit: r.unit, debits: String(r.debits_minor), credits: String(r.credits_minor) })),
    decisions, states,
    verify: { ok: v.ok, entries: v.entries },
    duplicatePostings: [...perEvent].filter(([, n]) => n > 1).map(([k]) => k),
  };
}

function canonicalLines(lines: Array<{ account: string; direction: string; amount_minor: number }>): string {
  return lines.map((l) => `${l.direction}${l.account}=${l.amount_minor}`).join(',');
}

/** Final fate of every event (source:event_id → status/code), for the events a test sent. */
export async function finalStatuses(db: Db, ids: Array<{ source: string; event_id: string }>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { source, event_id } of ids) {
    const row = await db('inbox_events as i').leftJoin('event_results as r', 'r.inbox_id', 'i.id')
      .where({ 'i.source': source, 'i.event_id': event_id }).first('i.id', 'r.status', 'r.code');
    if (!row) {
      out[`${source}:${event_id}`] = 'missing';
      continue;
    }
    if (row.status) {
      out[`${source}:${event_id}`] = `${row.status}${row.code ? `/${row.code}` : ''}`;
      continue;
    }
    const parked = await db('event_parkings').where({ inbox_id: toInt(row.id) }).orderBy('id', 'desc').first('code');
    out[`${source}:${event_id}`] = parked ? `parked/${parked.code}` : 'received';
  }
  return out;
}
