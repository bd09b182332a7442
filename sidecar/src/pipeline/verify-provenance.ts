import { toInt, type Db } from '../db/connect.js';

/**
 * Provenance (issue #13): every journal entry and every decision names the inbox event it came
 * from, and that event exists, was processed, and was processed in the order the chain says. An
 * entry INSERTed by hand — balanced and correctly chained, so the hash chain alone cannot tell —
 * names no event, or an event that was not processed, or an event processed before the entries
 * that precede it in the chain: each is refused here. An entry that names a decision (a refund, a
 * payout) must name one that exists: a forged `decision_id` cannot post money silently.
 *
 * Dispatch writes an event's entries and its result row in one transaction, in one global order,
 * so along the chain the result ids of the entries' events never decrease.
 */
export type ProvenanceProblem = { kind: 'entry' | 'decision'; id: string; problem: 'no_provenance' | 'unknown_event' | 'event_not_processed' | 'out_of_order' | 'unknown_decision'; detail: string };

export type ProvenanceReport = { ok: boolean; entries: number; decisions: number; problems: ProvenanceProblem[] };

const PAGE = 2000;
const MAX_PROBLEMS = 100;

type EventInfo = { ref: string; event_id: string; result_id: number | null; status: string | null };

async function eventsByInboxId(db: Db, ids: number[]): Promise<Map<number, EventInfo>> {
  const out = new Map<number, EventInfo>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = (await db('inbox_events as e').leftJoin('event_results as r', 'r.inbox_id', 'e.id').whereIn('e.id', chunk)
      .select('e.id', 'e.source', 'e.event_id', 'r.id as result_id', 'r.status')) as Array<{ id: unknown; source: string; event_id: string; result_id: unknown; status: string | null }>;
    for (const r of rows) out.set(toInt(r.id), { ref: `${r.source}:${r.event_id}`, event_id: r.event_id, result_id: r.result_id === null || r.result_id === undefined ? null : toInt(r.result_id), status: r.status });
  }
  return out;
}

async function existingDecisions(db: Db, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of (await db('decisions').whereIn('decision_id', ids.slice(i, i + 500)).select('decision_id')) as Array<{ decision_id: string }>) out.add(r.decision_id);
  }
  return out;
}

export async function verifyProvenance(db: Db): Promise<ProvenanceReport> {
  const problems: ProvenanceProblem[] = [];
  const add = (p: ProvenanceProblem) => { if (problems.length < MAX_PROBLEMS) problems.push(p); };
  let entries = 0;
  let lastResultId = 0;
  let after = 0;
  for (;;) {
    const rows = (await db('journal_entries').where('seq', '>', after).orderBy('seq').limit(PAGE).select('seq', 'meta')) as Array<{ seq: unknown; meta: string }>;
    if (rows.length === 0) break;
    const parsed = rows.map((r) => {
      let meta: Record<string, unknown> = {};
      try { meta = JSON.parse(r.meta) as Record<string, unknown>; } catch { /* reported below as no provenance */ }
      return { seq: toInt(r.seq), meta };
    });
    const ids = [...new Set(parsed.map((p) => p.meta.inbox_id).filter((v): v is number => typeof v === 'number'))];
    const events = await eventsByInboxId(db, ids);
    const decisionIds = [...new Set(parsed.map((p) => p.meta.decision_id).filter((v): v is string => typeof v === 'string'))];
    const decisions = await existingDecisions(db, decisionIds);
    for (const { seq, meta } of parsed) {
      entries++;
      const id = String(seq);
      if (typeof meta.inbox_id !== 'number' || typeof meta.event_id !== 'string') {
        add({ kind: 'entry', id, problem: 'no_provenance', detail: `entry ${seq} names no inbox event` });
        continue;
      }
      const ev = events.get(meta.inbox_id);
      if (!ev || ev.ref !== meta.event_id) {
        add({ kind: 'entry', id, problem: 'unknown_event', detail: `entry ${seq} names inbox event ${meta.inbox_id} (${meta.event_id}), which is not in the inbox` });
        continue;
      }
      if (ev.result_id === null || ev.status !== 'processed') {
        add({ kind: 'entry', id, problem: 'event_not_processed', detail: `entry ${seq} names ${meta.event_id}, whose result is ${ev.status ?? 'missing'}` });
        continue;
      }
      if (ev.result_id < lastResultId) {
        add({ kind: 'entry', id, problem: 'out_of_order', detail: `entry ${seq} names ${meta.event_id} (result ${ev.result_id}), processed before the event of the entry ahead of it (result ${lastResultId})` });
        continue;
      }
      lastResultId = ev.result_id;
      if (typeof meta.decision_id === 'string' && !decisions.has(meta.decision_id)) {
        add({ kind: 'entry', id, problem: 'unknown_decision', detail: `entry ${seq} names decision ${meta.decision_id}, which was never recorded` });
      }
    }
    after = parsed[parsed.length - 1]!.seq;
  }

  let decisions = 0;
  let afterId = '';
  for (;;) {
    const rows = (await db('decisions').where('decision_id', '>', afterId).orderBy('decision_id').limit(PAGE).select('decision_id', 'inbox_id', 'event_id')) as Array<{ decision_id: string; inbox_id: unknown; event_id: string }>;
    if (rows.length === 0) break;
    const events = await eventsByInboxId(db, [...new Set(rows.map((r) => toInt(r.inbox_id)))]);
    for (const r of rows) {
      decisions++;
      const ev = events.get(toInt(r.inbox_id));
      if (!ev || ev.event_id !== r.event_id) add({ kind: 'decision', id: r.decision_id, problem: 'unknown_event', detail: `decision ${r.decision_id} names inbox event ${toInt(r.inbox_id)} (${r.event_id}), which is not in the inbox` });
    }
    afterId = rows[rows.length - 1]!.decision_id;
  }
  return { ok: problems.length === 0, entries, decisions, problems };
}
