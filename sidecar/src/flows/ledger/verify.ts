import { toInt, type Db } from '../../db/connect.js';
import { verifyChain, type ChainOptions } from './verify-chain.js';

export { checkEntry, type VerifyProblem } from './check-entry.js';
import type { VerifyProblem } from './check-entry.js';

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
export async function verifyLedger(db: Db, onProgress?: (done: number) => void, opts: ChainOptions = {}): Promise<VerifyReport> {
  const chain = await verifyChain(db, onProgress, opts);
  const prev = chain.head_hash;
  const entries = chain.entries;
  let first_bad = chain.first_bad;
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
