import { hashesOf } from './entry-hash.js';
import type { JournalEntry } from './types.js';

/** One entry's checks, in the order verifyLedger reports them. No database here: worker threads load this. */
export type VerifyProblem = { seq: number; problem: 'seq_gap' | 'prev_hash_mismatch' | 'entry_hash_mismatch' | 'content_hash_mismatch' | 'unbalanced' | 'bad_amount' | 'orphan_lines' | 'verified_head_rewritten' | 'rows_changed_before_verified' | 'host_index_mismatch'; detail: string };

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
