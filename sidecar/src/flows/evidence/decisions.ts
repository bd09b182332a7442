import { canonicalJson, hashOf, sha256Hex } from '../../kernel/index.js';
import { toInt, type Db } from '../../db/connect.js';

/** One decision's evidence: what was decided, under which rule, from which inputs, with whose consent. */
export type DecisionRecord = {
  decision_id: string;
  inbox_id: number;
  event_id: string;
  booking_id: string | null;
  action: string;
  actor: string | null;
  policy: string;
  policy_version: number;
  policy_hash: string;
  input_hash: string;
  input: unknown;
  allowed: boolean;
  reason: string | null;
  outcome: unknown;
  outcome_hash: string;
  consent_hash: string | null;
  evaluated_at: string;
  recorded_at: string;
};

/** Decision ids are derived from the event and the action: the same log gives the same ids. */
export function decisionIdFor(source: string, event_id: string, action: string, discriminator = ''): string {
  return `dec_${sha256Hex(`${source}\u0000${event_id}\u0000${action}\u0000${discriminator}`).slice(0, 24)}`;
}

export async function recordDecision(db: Db, d: Omit<DecisionRecord, 'input_hash'> & { input_hash?: string }): Promise<DecisionRecord> {
  const record: DecisionRecord = { ...d, input_hash: d.input_hash ?? hashOf(d.input) };
  // The id derives from the event and the action: a second recording is the same decision.
  await db('decisions').insert({
    ...record,
    input: canonicalJson(record.input),
    outcome: canonicalJson(record.outcome),
  }).onConflict('decision_id').ignore();
  return record;
}

export type DecisionRow = Omit<DecisionRecord, 'input' | 'outcome' | 'allowed' | 'inbox_id' | 'policy_version'> & { input: string; outcome: string; allowed: unknown; inbox_id: unknown; policy_version: unknown };

export function decisionFromRow(r: DecisionRow): DecisionRecord {
  return {
    ...r,
    inbox_id: toInt(r.inbox_id),
    policy_version: toInt(r.policy_version),
    allowed: r.allowed === true || r.allowed === 1 || r.allowed === '1',
    input: JSON.parse(r.input),
    outcome: JSON.parse(r.outcome),
  };
}

export async function readDecision(db: Db, decision_id: string): Promise<DecisionRecord | undefined> {
  const row = (await db('decisions').where({ decision_id }).first()) as DecisionRow | undefined;
  return row ? decisionFromRow(row) : undefined;
}

export async function decisionsOfBooking(db: Db, booking_id: string): Promise<DecisionRecord[]> {
  const rows = (await db('decisions').where({ booking_id }).orderBy('inbox_id').orderBy('decision_id')) as DecisionRow[];
  return rows.map(decisionFromRow);
}

export async function forEachDecision(db: Db, fn: (d: DecisionRecord) => void | Promise<void>): Promise<number> {
  let last = '';
  let lastInbox = -1;
  let n = 0;
  for (;;) {
    const rows = (await db('decisions')
      .where((q) => q.where('inbox_id', '>', lastInbox).orWhere((q2) => q2.where('inbox_id', lastInbox).andWhere('decision_id', '>', last)))
      .orderBy('inbox_id').orderBy('decision_id').limit(2000)) as DecisionRow[];
    if (rows.length === 0) return n;
    for (const r of rows) {
      await fn(decisionFromRow(r));
      n++;
    }
    const tail = rows[rows.length - 1]!;
    lastInbox = toInt(tail.inbox_id);
    last = tail.decision_id;
  }
}
