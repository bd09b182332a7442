import { toInt, type Db } from '../../db/connect.js';
import { rawRows } from '../../db/dialect.js';
import { verifyChain, type ChainOptions } from './verify-chain.js';

export { checkEntry, type VerifyProblem } from './check-entry.js';
import type { VerifyProblem } from './check-entry.js';
import { CheckpointAudit, type CheckpointProblem } from './verify-checkpoints.js';
import { accountLineCounts, accountTotals } from './balance-checkpoints.js';
import type { UnitTotals, VerifiedCheckpoint } from './verified-checkpoints.js';
import { hostIndexProblem } from './verify-host-entries.js';
export type { CheckpointProblem } from './verify-checkpoints.js';

export type VerifyReport = {
  ok: boolean;
  /** full: from the genesis; routine: from a verified checkpoint (see verifyLedgerSince). */
  mode: 'full' | 'routine';
  /** The seq this run started after (0 for a full verify). */
  from_seq: number;
  /**
   * How the rows at or below from_seq stood behind this run: `full` — a full verify read them all;
   * `guarded` — a recorded verified checkpoint at or past from_seq covers them, so the database
   * refuses new rows there (migration 088) and removals everywhere, and they were not recounted;
   * `counted` — no recorded checkpoint covers them (one never recorded), so they were counted.
   */
  below: 'full' | 'guarded' | 'counted';
  /** Entries checked by this run. */
  entries: number;
  head_seq: number;
  head_hash: string;
  first_bad: VerifyProblem | null;
  unbalanced_units: string[];
  /** The first balance checkpoint that is not what the lines make (wrong, missing, forged, orphan). */
  bad_checkpoint: CheckpointProblem | null;
  /** Balance checkpoints compared with the lines. */
  checkpoints_checked: number;
  /** What this run saw at head_seq, to record as a verified checkpoint when it passed. */
  at: { lines: number; balance_checkpoints: number; per_unit: UnitTotals[] };
};

/**
 * Recomputes the hash chain from the first entry, checks each entry balances per unit, then checks
 * that debits equal credits per unit over every line in the table, and recomputes every balance
 * checkpoint from the lines. Names the first entry (and the first checkpoint) that does not hold.
 */
export async function verifyLedger(db: Db, onProgress?: (done: number) => void, opts: Omit<ChainOptions, 'from' | 'audit'> = {}): Promise<VerifyReport> {
  const audit = new CheckpointAudit();
  const chain = await verifyChain(db, onProgress, { ...opts, audit });
  let first_bad = chain.first_bad;
  if (!first_bad) first_bad = await orphanLines(db);
  if (!first_bad) first_bad = await hostIndexProblem(db, Number.MIN_SAFE_INTEGER, chain.head_seq);
  const units = await unitTotals(db, chain.head_seq);
  const unbalanced_units = units.unbalanced;
  const bad_checkpoint = audit.first_bad ?? (await orphanCheckpoints(db));
  return {
    ok: first_bad === null && unbalanced_units.length === 0 && bad_checkpoint === null, mode: 'full', from_seq: 0, below: 'full',
    entries: chain.entries, head_seq: chain.head_seq, head_hash: chain.head_hash, first_bad, unbalanced_units, bad_checkpoint, checkpoints_checked: audit.checked,
    at: { lines: units.lines, balance_checkpoints: await checkpointsUpTo(db, chain.head_seq), per_unit: units.per_unit },
  };
}

/**
 * A routine verify: what is new since a verified checkpoint at seq S, in time proportional to it.
 * - The entry at S still carries the verified hash (a rewritten chain is caught). Rows at or below
 *   S can be neither removed (append-only triggers) nor added (migration 088's guard, once a
 *   verified checkpoint at or past S is recorded): then they are not recounted (`below: 'guarded'`).
 *   From a checkpoint no recorded one covers, they are counted as before (`below: 'counted'`):
 *   removed rows and rows INSERTed below S (a line added to an old entry, a forged old checkpoint).
 * - The chain from S + 1 to the head (seq, prev hash, content and entry hashes, each entry
 *   balanced), the new balance checkpoints recomputed from each account's totals at S (its own
 *   checkpoint at or below S plus the lines after it) and the new lines, per unit the verified sums
 *   at S plus the new lines balance, and the new entries' host index rows (host_entries). Lines and
 *   checkpoints past the head: as full.
 * What it does not prove: that a row at or below S was not changed IN PLACE with the counts and
 * the entry at S left intact (possible only by dropping the append-only triggers or by editing the
 * database files). That is what `verify --full` re-proves, from the genesis.
 */
export async function verifyLedgerSince(db: Db, from: VerifiedCheckpoint, onProgress?: (done: number) => void, opts: Omit<ChainOptions, 'from' | 'audit'> = {}): Promise<VerifyReport> {
  const S = from.seq;
  const below = (await newestVerifiedSeq(db)) >= S ? 'guarded' : 'counted';
  const base = await baseProblem(db, from, below);
  const audit = new CheckpointAudit(new Map(), (codes) => accountLineCounts(db, codes, S), (codes) => accountTotals(db, codes, S));
  const chain = base ? { entries: 0, head_seq: S, head_hash: from.entry_hash, first_bad: null } : await verifyChain(db, onProgress, { ...opts, from: { seq: S, hash: from.entry_hash }, audit });
  let first_bad = base ?? chain.first_bad;
  if (!first_bad) first_bad = await orphanLines(db);
  if (!first_bad) first_bad = await hostIndexProblem(db, S, chain.head_seq);
  const units = await unitTotals(db, chain.head_seq, from);
  const bad_checkpoint = audit.first_bad ?? (await orphanCheckpoints(db));
  return {
    ok: first_bad === null && units.unbalanced.length === 0 && bad_checkpoint === null, mode: 'routine', from_seq: S, below,
    entries: chain.entries, head_seq: chain.head_seq, head_hash: chain.head_hash, first_bad, unbalanced_units: units.unbalanced, bad_checkpoint, checkpoints_checked: audit.checked,
    // The verified count plus the new ones (an index range after S): the old ones are not recounted.
    at: { lines: units.lines, balance_checkpoints: from.balance_checkpoints + (await checkpointsBetween(db, S, chain.head_seq)), per_unit: units.per_unit },
  };
}

/**
 * The verified checkpoint's ground: its entry still carries the verified hash (one probe), and —
 * only when no recorded verified checkpoint guards the rows at or below its seq — the counts of
 * those rows (entries, lines, balance checkpoints: every old row's index, growing with history).
 * Guarded, the counts cannot have moved: UPDATE and DELETE are refused on every ledger table
 * (makeAppendOnly) and an INSERT at or below the newest recorded verified seq too
 * (guardBelowVerified, migration 088), for every user; the app user has no privilege to drop a
 * trigger. What is left is a change by someone who can drop triggers or edit the files — outside
 * what a routine verify proves (docs/ledger.md, "Routine verify"); `verify --full` re-proves it.
 */
async function baseProblem(db: Db, from: VerifiedCheckpoint, below: 'guarded' | 'counted'): Promise<VerifyProblem | null> {
  const S = from.seq;
  if (S > 0) {
    const row = (await db('journal_entries').where({ seq: S }).first('entry_hash')) as { entry_hash: string } | undefined;
    if (!row || row.entry_hash !== from.entry_hash) return { seq: S, problem: 'verified_head_rewritten', detail: `entry ${S} ${row ? `now hashes ${row.entry_hash}` : 'is gone'}; verified ${from.entry_hash}` };
  }
  if (below === 'guarded') return S > 0 ? emptiedBelow(db, from) : null;
  const entries = toInt(((await db('journal_entries').where('seq', '<=', S).count({ n: '*' }).first()) as { n: unknown } | undefined)?.n ?? 0);
  const lines = toInt(((await db('journal_lines').where('entry_seq', '<=', S).count({ n: '*' }).first()) as { n: unknown } | undefined)?.n ?? 0);
  const cps = await checkpointsUpTo(db, S);
  const off: string[] = [];
  if (entries !== S) off.push(`${entries} entries (verified ${S})`);
  if (lines !== from.lines) off.push(`${lines} lines (verified ${from.lines})`);
  if (cps !== from.balance_checkpoints) off.push(`${cps} balance checkpoints (verified ${from.balance_checkpoints})`);
  return off.length ? { seq: S, problem: 'rows_changed_before_verified', detail: `at or below seq ${S}: ${off.join(', ')}` } : null;
}

/**
 * Guarded, the rows below S are not counted, but a table emptied by an administrator (MariaDB's
 * TRUNCATE fires no DELETE trigger) must not pass as "nothing new": the first entry and line, the
 * lines of the entry at S and, when some were verified, a balance checkpoint at or below S must be
 * there. Index probes at both ends of each range.
 */
async function emptiedBelow(db: Db, from: VerifiedCheckpoint): Promise<VerifyProblem | null> {
  const S = from.seq;
  const one = async (sql: string, bindings: unknown[]) => toInt((await rawRows<{ v: unknown }>(db, sql, bindings))[0]?.v ?? 0);
  const gone: string[] = [];
  if ((await one('SELECT MIN(seq) AS v FROM journal_entries', [])) !== 1) gone.push('entry 1');
  if ((await one('SELECT MIN(entry_seq) AS v FROM journal_lines', [])) !== 1) gone.push('the lines of entry 1');
  if ((await one('SELECT COUNT(*) AS v FROM journal_lines WHERE entry_seq = ?', [S])) === 0) gone.push(`the lines of entry ${S}`);
  if (from.balance_checkpoints > 0 && (await one('SELECT COUNT(*) AS v FROM (SELECT 1 AS one FROM balance_checkpoints WHERE seq <= ? LIMIT 1) AS found', [S])) === 0) gone.push('every balance checkpoint');
  return gone.length ? { seq: S, problem: 'rows_changed_before_verified', detail: `at or below seq ${S}: ${gone.join(', ')} gone (a table emptied?)` } : null;
}

/** The newest recorded verified checkpoint's seq (0: none): what the insert guard refuses at or below. One index probe. */
async function newestVerifiedSeq(db: Db): Promise<number> {
  return toInt(((await db('verified_checkpoints').max({ s: 'seq' }).first()) as { s: unknown } | undefined)?.s ?? 0);
}

async function checkpointsBetween(db: Db, after: number, upTo: number): Promise<number> {
  return toInt(((await db('balance_checkpoints').where('seq', '>', after).andWhere('seq', '<=', upTo).count({ n: '*' }).first()) as { n: unknown } | undefined)?.n ?? 0);
}

async function checkpointsUpTo(db: Db, seq: number): Promise<number> {
  return toInt(((await db('balance_checkpoints').where('seq', '<=', seq).count({ n: '*' }).first()) as { n: unknown } | undefined)?.n ?? 0);
}

/**
 * The rows of `table` whose `column` names no entry: below 1, or past the newest entry (read in the
 * same statement, so entries posted meanwhile are not mistaken for orphans). Two index ranges
 * joined by UNION ALL, not one OR: MariaDB plans `x < 1 OR x > (SELECT MAX …)` as a scan of the
 * whole index (EXPLAIN: type index), which grew a routine verify with history; each half alone is a
 * range at either end (SQLite plans both forms as ranges).
 */
function outsideTheChain(table: string, column: string, select: string): string {
  return `SELECT ${select} FROM ${table} WHERE ${column} < 1 UNION ALL SELECT ${select} FROM ${table} WHERE ${column} > (SELECT COALESCE(MAX(seq), 0) FROM journal_entries)`;
}

/** Balance checkpoints at a seq no entry has (below 1 or past the head): the page-by-page audit never reads them. */
export async function orphanCheckpoints(db: Db): Promise<CheckpointProblem | null> {
  const row = (await rawRows<{ first_seq: unknown; account: string | null; n: unknown }>(db,
    `SELECT MIN(seq) AS first_seq, MIN(account_code) AS account, COUNT(*) AS n FROM (${outsideTheChain('balance_checkpoints', 'seq', 'seq, account_code')}) AS orphans`))[0];
  const n = toInt(row?.n ?? 0);
  if (n === 0) return null;
  return { seq: toInt(row!.first_seq), account: String(row!.account), problem: 'orphan_checkpoints', detail: `${n} balance checkpoint(s) at entries that do not exist, from seq ${toInt(row!.first_seq)}` };
}

/**
 * Lines that name no entry (entry_seq below 1 or above the newest entry). The chain cannot see
 * them, yet balances are summed from lines, so a balanced pair of them (an INSERT is all it takes)
 * would move balances unnoticed. One statement, so entries posted meanwhile are not mistaken for it.
 */
async function orphanLines(db: Db): Promise<VerifyProblem | null> {
  const row = (await rawRows<{ first_seq: unknown; n: unknown }>(db,
    `SELECT MIN(entry_seq) AS first_seq, COUNT(*) AS n FROM (${outsideTheChain('journal_lines', 'entry_seq', 'entry_seq')}) AS orphans`))[0];
  const n = toInt(row?.n ?? 0);
  if (n === 0) return null;
  return { seq: toInt(row!.first_seq), problem: 'orphan_lines', detail: `${n} line(s) name entries that do not exist, from entry_seq ${toInt(row!.first_seq)}` };
}

/**
 * Per unit, debits and credits of the lines up to `headSeq` (added to a verified checkpoint's sums
 * when starting from one: then only the lines after it are read), and the units that do not
 * balance — over those lines and over every line past them whatever entry or account it names
 * (an orphan line past the head unbalances its unit here too). Sums are exact: SQL adds 64-bit
 * integers (SQLite raises on overflow rather than round), JavaScript BigInt.
 */
async function unitTotals(db: Db, headSeq: number, from?: VerifiedCheckpoint): Promise<{ per_unit: UnitTotals[]; unbalanced: string[]; lines: number }> {
  const after = from?.seq ?? Number.MIN_SAFE_INTEGER;
  const rows = (await db('journal_lines')
    .where('entry_seq', '>', after)
    .groupBy('unit')
    .select('unit')
    .select(db.raw("SUM(CASE WHEN direction = 'D' AND entry_seq <= ? THEN amount_minor ELSE 0 END) AS d", [headSeq]))
    .select(db.raw("SUM(CASE WHEN direction = 'C' AND entry_seq <= ? THEN amount_minor ELSE 0 END) AS c", [headSeq]))
    .select(db.raw("SUM(CASE WHEN direction = 'D' THEN amount_minor ELSE -amount_minor END) AS net"))
    .select(db.raw('SUM(CASE WHEN entry_seq <= ? THEN 1 ELSE 0 END) AS n', [headSeq]))) as Array<{ unit: string; d: unknown; c: unknown; net: unknown; n: unknown }>;
  const big = (v: unknown) => BigInt(String(v ?? 0).split('.')[0]!);
  const totals = new Map<string, { d: bigint; c: bigint; net: bigint }>();
  for (const u of from?.per_unit ?? []) totals.set(u.unit, { d: BigInt(u.debits_minor), c: BigInt(u.credits_minor), net: BigInt(u.debits_minor) - BigInt(u.credits_minor) });
  let lines = from?.lines ?? 0;
  for (const r of rows) {
    const t = totals.get(r.unit) ?? { d: 0n, c: 0n, net: 0n };
    totals.set(r.unit, { d: t.d + big(r.d), c: t.c + big(r.c), net: t.net + big(r.net) });
    lines += toInt(r.n);
  }
  const units = [...totals.keys()].sort();
  return {
    per_unit: units.map((u) => ({ unit: u, debits_minor: String(totals.get(u)!.d), credits_minor: String(totals.get(u)!.c) })),
    unbalanced: units.filter((u) => totals.get(u)!.net !== 0n),
    lines,
  };
}
