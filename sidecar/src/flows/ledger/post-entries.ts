import { DomainError } from '../../kernel/index.js';
import { isUniqueViolation, toInt, type Db } from '../../db/connect.js';
import { rawRows } from '../../db/dialect.js';
import { contentHashWithParts, entryFromRequest, entryHashWithParts, metaTextOf } from './entry-hash.js';
import {
  checkAccounts, checkBalanced, ENTRY_COLUMNS, MAX_CHAIN_RETRIES, entryRow, LINE_COLUMNS, normalizeInstant, replayOrConflict, validateShape, type PostResult,
} from './entry-checks.js';
import { insertRows, statementsFor } from './multi-row-insert.js';
import { entryFromRows, readEntriesByKeys, type EntryRow, type LineRow } from './read-entries.js';
import { accountLineCounts, accountTotals, advanceTotals, BALANCE_CHECKPOINT_EVERY_LINES, checkpointRow, CHECKPOINT_COLUMNS, type BalanceCheckpoint, type NewestCheckpoint } from './balance-checkpoints.js';
import { GENESIS_HASH, type Account, type AccountType, type JournalEntry, type JournalEntryRequest } from './types.js';

/** Keys and account codes asked for per lookup statement (each is one bound parameter). */
const LOOKUP_CHUNK = 500;

/**
 * Posts a batch of journal entries in order, with the same outcome as calling postEntry for each
 * in turn inside one transaction: the same validations and errors (the first request that fails
 * decides the error, and then nothing of the batch is written), replays of keys already posted and
 * of keys repeated within the batch, and a chain that continues from the head. It reads once per
 * batch (keys taken, accounts, chain head) and writes one multi-row INSERT per table, where
 * postEntry reads once and writes twice per entry. Call inside a transaction when the batch belongs
 * with other writes; otherwise it runs in one of its own.
 */
export async function postEntries(db: Db, requests: JournalEntryRequest[]): Promise<PostResult[]> {
  if (requests.length === 0) return [];
  if (!db.isTransaction) return db.transaction((trx) => postEntries(trx, requests));
  for (let attempt = 0; ; attempt++) {
    const plan = await planBatch(db, requests);
    if (plan.fresh.length === 0) return plan.results;
    try {
      await writeBatch(db, plan.fresh, plan.checkpoints, plan.hosts);
      return plan.results;
    } catch (e) {
      // Another writer took a seq (or one of our keys) between the read and the write: read again and redo the batch.
      if (!(e instanceof ChainRace) || attempt >= MAX_CHAIN_RETRIES) throw e instanceof ChainRace ? e.violation : e;
    }
  }
}

type Fresh = { entry: JournalEntry; metaText: string };
/** hosts: each named booking's host (bookings.host_id), for the host index (host_entries). */
type Plan = { results: PostResult[]; fresh: Fresh[]; checkpoints: BalanceCheckpoint[]; hosts: Map<string, string> };

/** Everything decided before writing: each request's outcome and the new entries, chained. Throws the first request's error. */
async function planBatch(db: Db, requests: JournalEntryRequest[]): Promise<Plan> {
  // What to read: the keys and accounts of every request well-formed enough to name them. A malformed
  // request is not skipped: the ordered pass below throws its error when its turn comes.
  const keys = new Set<string>();
  const codes = new Set<string>();
  const bookings = new Set<string>();
  const targets = new Set<number>();
  for (const r of requests) {
    if (typeof r?.idempotency_key === 'string') keys.add(r.idempotency_key);
    if (typeof r?.booking_id === 'string') bookings.add(r.booking_id);
    if (Array.isArray(r?.lines)) for (const l of r.lines) if (typeof l?.account === 'string') codes.add(l.account);
    if (r?.reverses_seq != null) targets.add(r.reverses_seq);
  }
  const state = await lookUpBatch(db, [...keys], [...codes], [...bookings]);
  const reversals = targets.size > 0 ? await reversalState(db, [...targets]) : undefined;
  const stored = state.taken.size > 0 ? await readEntriesByKeys(db, [...state.taken.keys()]) : new Map<string, JournalEntry>();

  const results: PostResult[] = [];
  const fresh: Fresh[] = [];
  const postedHere = new Map<string, JournalEntry>();
  const reversedHere = new Map<number, number>(); // target seq -> the new entry reversing it
  const headSeq = state.head ? toInt(state.head.seq) : 0;
  let seq = headSeq;
  let prev = state.head ? state.head.entry_hash : GENESIS_HASH;
  for (const request of requests) {
    validateShape(request);
    const req: JournalEntryRequest = { ...request, occurred_at: normalizeInstant(request.occurred_at) };
    const { content_hash, parts } = contentHashWithParts(req);
    const key = req.idempotency_key;
    const earlier = postedHere.get(key) ?? stored.get(key);
    if (earlier) {
      results.push(replayOrConflict(earlier, content_hash, key));
      continue;
    }
    checkAccounts(req, state.accounts);
    checkBalanced(req);
    if (req.reverses_seq != null) {
      const target = req.reverses_seq;
      const exists = target > headSeq ? target <= seq : reversals!.existing.has(target);
      if (!exists) throw new DomainError('reversal_target_missing', `entry ${target} does not exist`);
      const by = reversals!.reversedBy.get(target) ?? reversedHere.get(target);
      if (by !== undefined) throw new DomainError('already_reversed', `entry ${target} is already reversed by entry ${by}`);
    }
    seq += 1;
    const body = entryFromRequest(req, content_hash, seq, prev);
    const entry: JournalEntry = { ...body, entry_hash: entryHashWithParts(body, parts) };
    prev = entry.entry_hash;
    postedHere.set(key, entry);
    if (entry.reverses_seq != null) reversedHere.set(entry.reverses_seq, seq);
    fresh.push({ entry, metaText: metaTextOf(entry.meta, parts) });
    results.push({ entry, replayed: false });
  }
  return { results, fresh, checkpoints: fresh.length > 0 ? await checkpointsOf(db, fresh, state.checkpoints) : [], hosts: state.hosts };
}

/**
 * The balance checkpoints the new entries bring (BALANCE_CHECKPOINT_EVERY_LINES): each touched
 * account's line count now (its newest checkpoint, read with the batch's accounts, + a COUNT over
 * the index, at most 255 lines), and for
 * the accounts the batch takes past a multiple their totals, walked along the new entries in seq order.
 * Lines a writer committed after our head read belong to entries from head + 1 on, so they cannot
 * be counted silently: our first entry then collides with that seq and the batch is planned again.
 */
async function checkpointsOf(db: Db, fresh: Fresh[], newest: Map<string, NewestCheckpoint>): Promise<BalanceCheckpoint[]> {
  const added = new Map<string, number>();
  for (const { entry } of fresh) for (const l of entry.lines) added.set(l.account, (added.get(l.account) ?? 0) + 1);
  // Line counts first (index only); totals only for the accounts this batch takes to a multiple.
  const counts = await accountLineCounts(db, [...added.keys()], undefined, newest);
  const every = BALANCE_CHECKPOINT_EVERY_LINES;
  const crossing = [...added].filter(([code, n]) => Math.floor(counts.get(code)!.lines / every) < Math.floor((counts.get(code)!.lines + n) / every)).map(([code]) => code);
  if (crossing.length === 0) return [];
  const running = await accountTotals(db, crossing);
  const lines = (e: JournalEntry) => e.lines.filter((l) => running.has(l.account));
  const out: BalanceCheckpoint[] = [];
  for (const { entry } of fresh) for (const c of advanceTotals(running, entry.seq, lines(entry))) out.push(c);
  return out;
}

/** A unique violation on the entries of a batch: the chain moved under us (or a key was posted meanwhile). */
class ChainRace extends Error {
  constructor(readonly violation: unknown) {
    super('the chain head moved while the batch was written');
  }
}

/**
 * The entry rows, then the lines. A unique violation on the entry rows is a race with another
 * writer, retried by the caller from a fresh read. When the entry rows take more than one
 * statement they go inside a savepoint, so a violation in a later statement takes back the earlier
 * ones before the retry (a failed statement undoes only itself, on both dialects).
 */
async function writeBatch(db: Db, fresh: Fresh[], checkpoints: BalanceCheckpoint[], hosts: Map<string, string>): Promise<void> {
  const entries = fresh.map((f) => entryRow(f.entry, f.metaText));
  const lines: unknown[][] = [];
  for (const { entry: e } of fresh) {
    e.lines.forEach((l, i) => lines.push([e.seq, i + 1, l.account, l.unit, l.direction, l.amount_minor]));
  }
  const writeEntries = async (trx: Db) => {
    try {
      await insertRows(trx, 'journal_entries', ENTRY_COLUMNS, entries);
    } catch (e) {
      throw isUniqueViolation(e) ? new ChainRace(e) : e;
    }
  };
  if (statementsFor(entries.length, ENTRY_COLUMNS.length) > 1) await db.transaction(writeEntries);
  else await writeEntries(db);
  // Lines are keyed by the seqs just written, so a violation here is no race: it is not retried.
  await insertRows(db, 'journal_lines', LINE_COLUMNS, lines);
  await insertRows(db, 'balance_checkpoints', CHECKPOINT_COLUMNS, checkpoints.map(checkpointRow));
  await insertRows(db, 'host_entries', HOST_ENTRY_COLUMNS, hostEntryRows(fresh.map((f) => f.entry), hosts));
}

export const HOST_ENTRY_COLUMNS = ['host_id', 'occurred_at', 'seq', 'booking_id'];

/**
 * The host index rows of new entries (migration 087): one per entry of a booking whose row exists
 * (its host never changes, so replay writes the same rows). The dispatcher writes a batch's new
 * bookings before its entries (write-effects.ts), so a booking paid in the batch that confirmed it
 * is found too; an entry naming no stored booking has no host and no row (verify checks both ways).
 */
export function hostEntryRows(entries: readonly JournalEntry[], hosts: ReadonlyMap<string, string>): unknown[][] {
  const rows: unknown[][] = [];
  for (const e of entries) {
    const host = e.booking_id == null ? undefined : hosts.get(e.booking_id);
    if (host !== undefined) rows.push([host, e.occurred_at, e.seq, e.booking_id]);
  }
  return rows;
}

type BatchSeen = {
  taken: Map<string, number>; head: { seq: number | string; entry_hash: string } | undefined; accounts: Map<string, Account>;
  /** Each named account's newest balance checkpoint (absent: none yet). */
  checkpoints: Map<string, NewestCheckpoint>;
  /** Each named booking's host (absent: no such booking stored). */
  hosts: Map<string, string>;
};

/** A correlated probe of balance_checkpoints' primary key (account_code, seq), newest first: one row read. */
const NEWEST_CHECKPOINT = (column: 'seq' | 'line_count') =>
  `(SELECT cp.${column} FROM balance_checkpoints cp WHERE cp.account_code = accounts.code ORDER BY cp.seq DESC LIMIT 1)`;

/**
 * The batch's reads in as few statements as the parameter limits allow (one for a batch of up to
 * 500 keys and 500 accounts): the keys already taken, the chain head, and the named accounts.
 * Tags: 1 key taken, 2 head, 3 account, 4 booking's host.
 */
async function lookUpBatch(db: Db, keys: string[], codes: string[], bookings: string[]): Promise<BatchSeen> {
  const seen: BatchSeen = { taken: new Map(), head: undefined, accounts: new Map(), checkpoints: new Map(), hosts: new Map() };
  const rounds = Math.max(1, Math.ceil(keys.length / LOOKUP_CHUNK), Math.ceil(codes.length / LOOKUP_CHUNK), Math.ceil(bookings.length / LOOKUP_CHUNK));
  for (let round = 0; round < rounds; round++) {
    const k = keys.slice(round * LOOKUP_CHUNK, (round + 1) * LOOKUP_CHUNK);
    const c = codes.slice(round * LOOKUP_CHUNK, (round + 1) * LOOKUP_CHUNK);
    const b = bookings.slice(round * LOOKUP_CHUNK, (round + 1) * LOOKUP_CHUNK);
    const parts: string[] = [];
    if (k.length > 0) parts.push(`SELECT 1 AS tag, seq AS a, content_hash AS b, idempotency_key AS c, NULL AS d, NULL AS e, NULL AS f FROM journal_entries WHERE idempotency_key IN (${k.map(() => '?').join(', ')})`);
    if (round === 0) parts.push('SELECT 2 AS tag, seq AS a, entry_hash AS b, NULL AS c, NULL AS d, NULL AS e, NULL AS f FROM (SELECT seq, entry_hash FROM journal_entries ORDER BY seq DESC LIMIT 1) AS head');
    // With each account, its newest balance checkpoint (two probes of its primary key, newest first):
    // where the next checkpoint falls is then one COUNT away (checkpointsOf), not two statements.
    if (c.length > 0) {
      parts.push(`SELECT 3 AS tag, code AS a, type AS b, unit AS c, name AS d, ${NEWEST_CHECKPOINT('seq')} AS e, ${NEWEST_CHECKPOINT('line_count')} AS f`
        + ` FROM accounts WHERE code IN (${c.map(() => '?').join(', ')})`);
    }
    // Each booking's host, by its primary key: what the host index rows need (hostEntryRows).
    if (b.length > 0) parts.push(`SELECT 4 AS tag, booking_id AS a, host_id AS b, NULL AS c, NULL AS d, NULL AS e, NULL AS f FROM bookings WHERE booking_id IN (${b.map(() => '?').join(', ')})`);
    if (parts.length === 0) continue;
    type Row = { tag: number | string; a: unknown; b: string; c: string | null; d: string | null; e: unknown; f: unknown };
    const rows = await rawRows<Row>(db, parts.join(' UNION ALL '), [...k, ...c, ...b]);
    for (const r of rows) {
      const tag = Number(r.tag);
      if (tag === 1) seen.taken.set(String(r.c), toInt(r.a));
      else if (tag === 2) seen.head = { seq: toInt(r.a), entry_hash: r.b };
      else if (tag === 4) seen.hosts.set(String(r.a), r.b);
      else {
        seen.accounts.set(String(r.a), { code: String(r.a), type: r.b as AccountType, unit: String(r.c), name: String(r.d) });
        if (r.e != null) seen.checkpoints.set(String(r.a), { seq: toInt(r.e), lines: toInt(r.f) });
      }
    }
  }
  return seen;
}


/** For reversals in the batch: which targets exist in the ledger, and which are already reversed (by which entry). */
async function reversalState(db: Db, targets: number[]): Promise<{ existing: Set<number>; reversedBy: Map<number, number> }> {
  const existing = new Set<number>();
  const reversedBy = new Map<number, number>();
  for (let i = 0; i < targets.length; i += LOOKUP_CHUNK) {
    const chunk = targets.slice(i, i + LOOKUP_CHUNK);
    for (const r of (await db('journal_entries').whereIn('seq', chunk).select('seq')) as Array<{ seq: unknown }>) existing.add(toInt(r.seq));
    for (const r of (await db('journal_entries').whereIn('reverses_seq', chunk).select('seq', 'reverses_seq')) as Array<{ seq: unknown; reverses_seq: unknown }>) {
      reversedBy.set(toInt(r.reverses_seq), toInt(r.seq));
    }
  }
  return { existing, reversedBy };
}
