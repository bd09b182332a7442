import { toInt, type Db } from '../../db/connect.js';
import { hashesOf } from './entry-hash.js';
import { forEachEntry } from './read-entries.js';
import { GENESIS_HASH, type JournalEntry } from './types.js';

export type VerifyProblem = { seq: number; problem: 'seq_gap' | 'prev_hash_mismatch' | 'entry_hash_mismatch' | 'content_hash_mismatch' | 'unbalanced' | 'bad_amount' | 'orphan_lines'; detail: string };

export type VerifyReport = {
  ok: boolean;
  entries: number;
  head_hash: string;
  first_bad: VerifyProblem | null;
  unbalanced_units: string[];
};

/**
 * Recomputes the hash chain from the first entry, checks each entry balances per unit, then checks
 * that debits equal credits per unit over every line in the table. Names the first entry that does
 * not hold.
 */
export async function verifyLedger(db: Db, onProgress?: (done: number) => void): Promise<VerifyReport> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let first_bad: VerifyProblem | null = null;
  const entries = await forEachEntry(db, (e) => {
    if (!first_bad) first_bad = checkEntry(e, expectedSeq, prev);
    prev = e.entry_hash;
    expectedSeq = e.seq + 1;
    if (onProgress && e.seq % 1000 === 0) onProgress(e.seq);
  });
  if (!first_bad) first_bad = await orphanLines(db);
  const unbalanced_units = await unbalancedUnits(db);
  return { ok: first_bad === null && unbalanced_units.length === 0, entries, head_hash: prev, first_bad, unbalanced_units };
}

/**
 * Lines that name no entry (entry_seq below 1 or above the newest entry). The chain cannot see
 * them, yet balances are summed from lines, so a balanced pair of them (an INSERT is all it takes)
 * would move balances unnoticed. One statement, so entries posted meanwhile are not mistaken for it.
 */
async function orphanLines(db: Db): Promise<VerifyProblem | null> {
  const row = (await db('journal_lines')
    .where('entry_seq', '<', 1)
    .orWhere('entry_seq', '>', db('journal_entries').select(db.raw('COALESCE(MAX(seq), 0)')))
    .first(db.raw('MIN(entry_seq) AS first_seq'), db.raw('COUNT(*) AS n'))) as { first_seq: unknown; n: unknown } | undefined;
  const n = toInt(row?.n ?? 0);
  if (n === 0) return null;
  return { seq: toInt(row!.first_seq), problem: 'orphan_lines', detail: `${n} line(s) name entries that do not exist, from entry_seq ${toInt(row!.first_seq)}` };
}

/**
 * Units whose debits and credits differ over all lines, whatever entry or account they name. The
 * net is computed in SQL as a 64-bit integer (exact; SQLite raises on overflow rather than round),
 * and one pass over the lines without a join is several times cheaper than the trial balance.
 */
async function unbalancedUnits(db: Db): Promise<string[]> {
  const rows = (await db('journal_lines')
    .groupBy('unit')
    .havingRaw("SUM(CASE WHEN direction = 'D' THEN amount_minor ELSE -amount_minor END) <> 0")
    .orderBy('unit')
    .select('unit')) as Array<{ unit: string }>;
  return rows.map((r) => r.unit);
}

export function checkEntry(e: JournalEntry, expectedSeq: number, prev: string): VerifyProblem | null {
  if (e.seq !== expectedSeq) return { seq: e.seq, problem: 'seq_gap', detail: `expected seq ${expectedSeq}` };
  if (e.prev_hash !== prev) return { seq: e.seq, problem: 'prev_hash_mismatch', detail: `prev_hash ${e.prev_hash} != ${prev}` };
  for (const l of e.lines) {
    if (!Number.isSafeInteger(l.amount_minor) || l.amount_minor <= 0) return { seq: e.seq, problem: 'bad_amount', detail: `${l.account} ${l.amount_minor}` };
  }
  const off = unbalancedUnit(e);
  if (off) return { seq: e.seq, problem: 'unbalanced', detail: `${off.unit} off by ${off.by}` };
  const { content_hash, entry_hash } = hashesOf(e);
  if (content_hash !== e.content_hash) return { seq: e.seq, problem: 'content_hash_mismatch', detail: 'lines or fields differ from what was posted' };
  if (entry_hash !== e.entry_hash) return { seq: e.seq, problem: 'entry_hash_mismatch', detail: 'stored hash does not match the entry' };
  return null;
}

/**
 * The first unit whose debits and credits differ, or null. Sums in plain numbers while they stay
 * exact (the usual case: a few lines of at most 10^15) and redoes the entry in BigInt otherwise.
 */
function unbalancedUnit(e: JournalEntry): { unit: string; by: bigint } | null {
  let exact = true;
  if (e.lines.length === 2) {
    // The common two-line entry: balanced iff one debit and one credit of the same amount in one unit.
    const [a, b] = e.lines as [JournalEntry['lines'][0], JournalEntry['lines'][0]];
    if (a.unit === b.unit && a.direction !== b.direction && a.amount_minor === b.amount_minor) return null;
  }
  const net = new Map<string, number>();
  for (const l of e.lines) {
    const v = (net.get(l.unit) ?? 0) + (l.direction === 'D' ? l.amount_minor : -l.amount_minor);
    if (!Number.isSafeInteger(v)) exact = false;
    net.set(l.unit, v);
  }
  if (exact) {
    for (const [unit, v] of net) if (v !== 0) return { unit, by: BigInt(v) };
    return null;
  }
  const big = new Map<string, bigint>();
  for (const l of e.lines) big.set(l.unit, (big.get(l.unit) ?? 0n) + BigInt(l.amount_minor) * (l.direction === 'D' ? 1n : -1n));
  for (const [unit, v] of big) if (v !== 0n) return { unit, by: v };
  return null;
}
