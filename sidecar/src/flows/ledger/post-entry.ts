import { canonicalJson, DomainError } from '../../kernel/index.js';
import { dialectOf, isUniqueViolation, toInt, type Db } from '../../db/connect.js';
import { contentHashOf, entryFromRequest, entryHashOf } from './entry-hash.js';
import { GENESIS_HASH, type Account, type AccountType, type JournalEntry, type JournalEntryRequest } from './types.js';
import { readEntry } from './read-entries.js';
import { checkAccounts, checkBalanced, normalizeInstant, replayOrConflict, validateShape, type PostResult } from './entry-checks.js';

export { MAX_LINES_PER_ENTRY, normalizeInstant, type PostResult } from './entry-checks.js';
export const MAX_CHAIN_RETRIES = 8;

/**
 * Posts one balanced journal entry, or returns the entry already posted under the same
 * idempotency key. Validation happens before anything is written, so a refused entry writes
 * nothing. Call inside a transaction when the entry belongs with other writes.
 */
export async function postEntry(db: Db, request: JournalEntryRequest): Promise<PostResult> {
  validateShape(request);
  // One fixed-width form of the event time (milliseconds always written), so entries sort and
  // compare by time as text, and 12:00:00Z and 12:00:00.000Z are the same entry.
  const req: JournalEntryRequest = { ...request, occurred_at: normalizeInstant(request.occurred_at) };
  const content_hash = contentHashOf(req);

  const seen = await lookUp(db, req.idempotency_key, req.lines.map((l) => l.account));
  if (seen.posted) {
    const existing = await readEntry(db, { idempotency_key: req.idempotency_key });
    if (existing) return replayOrConflict(existing, content_hash, req.idempotency_key);
  }

  checkAccounts(req, seen.accounts);
  checkBalanced(req);
  if (req.reverses_seq != null) await checkReversal(db, req);

  for (let attempt = 0; ; attempt++) {
    // The first attempt uses the head read with everything else; a retry (another writer won) reads it again.
    const head = attempt === 0 ? seen.head : await db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
    const entry = entryFromRequest(req, content_hash, head ? toInt(head.seq) + 1 : 1, head ? head.entry_hash : GENESIS_HASH);
    const full: JournalEntry = { ...entry, entry_hash: entryHashOf(entry) };
    try {
      await insertEntry(db, full);
      return { entry: full, replayed: false };
    } catch (e) {
      if (!isUniqueViolation(e) || attempt >= MAX_CHAIN_RETRIES) throw e;
      // Another writer took this seq, or posted the same key first: look again.
      const raced = await readEntry(db, { idempotency_key: req.idempotency_key });
      if (raced) return replayOrConflict(raced, content_hash, req.idempotency_key);
    }
  }
}

type Seen = { posted: boolean; head: { seq: number | string; entry_hash: string } | undefined; accounts: Map<string, Account> };

/**
 * Everything postEntry reads before it writes, in one statement: whether the idempotency key is
 * taken, the chain head, and the accounts the lines name. One round trip instead of three: on
 * MySQL each round trip costs about as much as an INSERT. Tags: 1 key taken, 2 head, 3 account.
 */
async function lookUp(db: Db, key: string, codes: string[]): Promise<Seen> {
  const unique = [...new Set(codes)];
  const sql = 'SELECT 1 AS tag, seq AS a, content_hash AS b, NULL AS c, NULL AS d FROM journal_entries WHERE idempotency_key = ?'
    + ' UNION ALL SELECT 2, seq, entry_hash, NULL, NULL FROM (SELECT seq, entry_hash FROM journal_entries ORDER BY seq DESC LIMIT 1) AS head'
    + ` UNION ALL SELECT 3, code, type, unit, name FROM accounts WHERE code IN (${unique.map(() => '?').join(', ')})`;
  const result = (await db.raw(sql, [key, ...unique])) as unknown;
  type Row = { tag: number | string; a: unknown; b: string; c: string | null; d: string | null };
  const rows = (dialectOf(db) === 'mysql' ? (result as [Row[]])[0] : result) as Row[];
  const seen: Seen = { posted: false, head: undefined, accounts: new Map() };
  for (const r of rows) {
    const tag = Number(r.tag);
    if (tag === 1) seen.posted = true;
    else if (tag === 2) seen.head = { seq: toInt(r.a), entry_hash: r.b };
    else seen.accounts.set(String(r.a), { code: String(r.a), type: r.b as AccountType, unit: String(r.c), name: String(r.d) });
  }
  return seen;
}

/** The entry row and its lines, together or not at all (a transaction of its own when not given one). */
async function insertEntry(db: Db, e: JournalEntry): Promise<void> {
  if (!db.isTransaction) return db.transaction((trx) => insertEntry(trx, e));
  await db('journal_entries').insert({
    seq: e.seq,
    idempotency_key: e.idempotency_key,
    content_hash: e.content_hash,
    kind: e.kind,
    booking_id: e.booking_id,
    occurred_at: e.occurred_at,
    description: e.description,
    reverses_seq: e.reverses_seq,
    meta: canonicalJson(e.meta),
    prev_hash: e.prev_hash,
    entry_hash: e.entry_hash,
  });
  await db('journal_lines').insert(
    e.lines.map((l, i) => ({ entry_seq: e.seq, line_no: i + 1, account_code: l.account, unit: l.unit, direction: l.direction, amount_minor: l.amount_minor })),
  );
}

async function checkReversal(db: Db, req: JournalEntryRequest): Promise<void> {
  const target = await readEntry(db, { seq: req.reverses_seq! });
  if (!target) throw new DomainError('reversal_target_missing', `entry ${req.reverses_seq} does not exist`);
  const already = await db('journal_entries').where({ reverses_seq: req.reverses_seq }).first('seq');
  if (already) throw new DomainError('already_reversed', `entry ${req.reverses_seq} is already reversed by entry ${already.seq}`);
}
