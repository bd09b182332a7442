import { toInt } from '../../kernel/ints.js';
import { checkEntry, type VerifyProblem } from './check-entry.js';
import type { Direction, EntryKind, JournalEntry, JournalLine } from './types.js';

/** A page as read: entry rows and their lines as arrays of column values, in seq (then line) order. */
export type Page = { entries: unknown[][]; lines: unknown[][] };
export type PageVerdict = { count: number; first_bad: VerifyProblem | null; last_seq: number; last_hash: string };

/**
 * Checks every entry of a page in seq order, starting from the seq expected next and the hash of
 * the entry before the page. Returns the page's first problem (the checks and their order are
 * verifyLedger's: checkEntry), how many entries it holds, and its last seq and stored hash.
 */
export function checkPage(page: Page, expectedSeq: number, prev: string): PageVerdict {
  let first_bad: VerifyProblem | null = null;
  let li = 0;
  let last_seq = expectedSeq - 1;
  let last_hash = prev;
  const { entries, lines } = page;
  for (const row of entries) {
    const seq = toInt(row[0]);
    // Lines come ordered by (entry_seq, line_no), inside the page's seq range: walk them alongside.
    const own: JournalLine[] = [];
    while (li < lines.length && toInt(lines[li]![0]) < seq) li++;
    while (li < lines.length && toInt(lines[li]![0]) === seq) {
      const l = lines[li++]!;
      own.push({ account: l[1] as string, unit: l[2] as string, direction: l[3] as Direction, amount_minor: toInt(l[4]) });
    }
    if (!first_bad) {
      const e: JournalEntry = {
        seq,
        idempotency_key: row[1] as string,
        content_hash: row[2] as string,
        kind: row[3] as EntryKind, // verified by its content hash below
        booking_id: row[4] as string | null,
        occurred_at: row[5] as string,
        description: row[6] as string,
        reverses_seq: row[7] === null ? null : toInt(row[7]),
        meta: JSON.parse(row[8] as string) as Record<string, unknown>,
        lines: own,
        prev_hash: row[9] as string,
        entry_hash: row[10] as string,
      };
      first_bad = checkEntry(e, last_seq + 1, last_hash);
    }
    last_seq = seq;
    last_hash = row[10] as string;
  }
  return { count: entries.length, first_bad, last_seq, last_hash };
}
