import { toInt, type Db } from '../../db/connect.js';
import type { PolicyRef } from '../booking/store.js';

export type StoredPolicyVersion = PolicyRef & { document: unknown; inbox_id: number; seq: number };

export async function insertPolicyVersion(db: Db, p: { kind: string; id: string; version: number; hash: string; document: string; inbox_id: number }): Promise<boolean> {
  const existing = await db('policy_versions').where({ kind: p.kind, policy_id: p.id, version: p.version }).first('hash');
  if (existing) return false;
  await db('policy_versions').insert({ kind: p.kind, policy_id: p.id, version: p.version, hash: p.hash, document: p.document, inbox_id: p.inbox_id });
  return true;
}

type Row = { id: unknown; kind: string; policy_id: string; version: unknown; hash: string; document: string; inbox_id: unknown };
const fromRow = (r: Row): StoredPolicyVersion => ({ kind: r.kind, id: r.policy_id, version: toInt(r.version), hash: r.hash, document: JSON.parse(r.document), inbox_id: toInt(r.inbox_id), seq: toInt(r.id) });

/** The version of a policy current in the log: the latest published (log order, not version number). */
export async function currentPolicyVersion(db: Db, kind: string, id: string): Promise<StoredPolicyVersion | undefined> {
  const row = (await db('policy_versions').where({ kind, policy_id: id }).orderBy('id', 'desc').first()) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export async function policyVersion(db: Db, kind: string, id: string, version: number): Promise<StoredPolicyVersion | undefined> {
  const row = (await db('policy_versions').where({ kind, policy_id: id, version }).first()) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export async function listPolicyVersions(db: Db): Promise<StoredPolicyVersion[]> {
  const rows = (await db('policy_versions').orderBy('id')) as Row[];
  return rows.map(fromRow);
}

/** The current version of each (kind, id): one query for a booking's whole pin set. */
export async function currentPolicyRefs(db: Db, wanted: Array<{ kind: string; id: string }>): Promise<Map<string, PolicyRef>> {
  const rows = (await db('policy_versions')
    .where((q) => { for (const w of wanted) q.orWhere({ kind: w.kind, policy_id: w.id }); })
    .orderBy('id', 'desc')
    .select('kind', 'policy_id', 'version', 'hash')) as Array<{ kind: string; policy_id: string; version: unknown; hash: string }>;
  const out = new Map<string, PolicyRef>();
  for (const r of rows) {
    const key = `${r.kind}/${r.policy_id}`;
    if (!out.has(key)) out.set(key, { kind: r.kind, id: r.policy_id, version: toInt(r.version), hash: r.hash });
  }
  return out;
}
