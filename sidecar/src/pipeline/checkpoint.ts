import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, formatIsoUtc } from '../kernel/index.js';
import { toInt, type Db } from '../db/connect.js';
import { listTables, MUTABLE_TABLES } from '../db/tables.js';

/**
 * The chain head anchored outside the database (issue #13). A checkpoint names the ledger's head
 * (seq and entry hash) and the row count of every append-only table, and is signed (HMAC-SHA256)
 * with a secret the database never sees. Written out at every `verify` and on a schedule, kept
 * elsewhere (a file in another system, an outbound event), it lets `verify --anchor FILE` prove the
 * database still EXTENDS what was anchored:
 * - the entry at the anchored seq still has the anchored hash (a rewritten chain, even a
 *   consistent one made by someone who dropped the triggers, no longer matches);
 * - no append-only table has fewer rows than anchored. Rows only ever get added, so fewer rows
 *   means rows were removed — the one way MariaDB's root can do it despite the triggers is
 *   TRUNCATE (it fires no DELETE trigger, and MariaDB has no TRUNCATE trigger); SQLite has no
 *   TRUNCATE and its DELETE triggers hold. This is how TRUNCATE is detected.
 */
export type Checkpoint = {
  version: 1;
  head_seq: number;
  head_hash: string | null;
  counts: Record<string, number>;
  written_at: string;
  key_id: string;
  signature: string;
};

export type AnchorProblem = { problem: 'bad_signature' | 'head_rewritten' | 'rows_missing' | 'table_missing'; detail: string };

const body = (c: Omit<Checkpoint, 'signature'>) => canonicalJson({ version: c.version, head_seq: c.head_seq, head_hash: c.head_hash, counts: c.counts, written_at: c.written_at, key_id: c.key_id });
const sign = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

/** Row counts of every append-only table (all but knex's lock flag). */
export async function appendOnlyCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of await listTables(db)) {
    if (MUTABLE_TABLES.includes(t)) continue;
    counts[t] = toInt((await db(t).count({ n: '*' }).first())?.n ?? 0);
  }
  return counts;
}

export async function makeCheckpoint(db: Db, key: { keyId: string; secret: string }, now_ms: number): Promise<Checkpoint> {
  // One read transaction, so the head and the counts describe the same moment.
  return db.transaction(async (trx) => {
    const head = (await trx('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash')) as { seq: unknown; entry_hash: string } | undefined;
    const unsigned = { version: 1 as const, head_seq: head ? toInt(head.seq) : 0, head_hash: head?.entry_hash ?? null, counts: await appendOnlyCounts(trx as unknown as Db), written_at: formatIsoUtc(now_ms), key_id: key.keyId };
    return { ...unsigned, signature: sign(key.secret, body(unsigned)) };
  });
}

export function checkpointSignatureValid(c: Checkpoint, secret: string): boolean {
  const expected = Buffer.from(sign(secret, body(c)), 'hex');
  const given = /^[0-9a-f]{64}$/.test(c.signature ?? '') ? Buffer.from(c.signature, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What keeps the database from extending the anchored checkpoint; empty when it does. */
export async function checkAnchor(db: Db, anchor: Checkpoint, secret: string): Promise<AnchorProblem[]> {
  if (!checkpointSignatureValid(anchor, secret)) return [{ problem: 'bad_signature', detail: 'the anchor file is not signed with this anchor secret: it was altered or made with another key' }];
  const problems: AnchorProblem[] = [];
  if (anchor.head_seq > 0) {
    const row = (await db('journal_entries').where({ seq: anchor.head_seq }).first('entry_hash')) as { entry_hash: string } | undefined;
    if (!row) problems.push({ problem: 'head_rewritten', detail: `entry ${anchor.head_seq} of the anchor is gone` });
    else if (row.entry_hash !== anchor.head_hash) problems.push({ problem: 'head_rewritten', detail: `entry ${anchor.head_seq} now hashes ${row.entry_hash}, anchored ${anchor.head_hash}` });
  }
  const now = await appendOnlyCounts(db);
  for (const [table, n] of Object.entries(anchor.counts)) {
    if (!(table in now)) problems.push({ problem: 'table_missing', detail: `table ${table} (${n} rows anchored) is gone` });
    else if (now[table]! < n) problems.push({ problem: 'rows_missing', detail: `${table} has ${now[table]} rows, ${n} were anchored: rows were removed (TRUNCATE?)` });
  }
  return problems;
}
