import { toInt, type Db } from '../../db/connect.js';
import { rawRows, tableWithIndex } from '../../db/dialect.js';

/**
 * Balance checkpoints (issue #11, item 4): an account's running totals (lines, debits, credits) at
 * an entry seq, so a balance is the newest checkpoint plus the lines after it — at most this many
 * lines, whatever the account's history.
 *
 * The rule, a pure function of the entries in seq order: a checkpoint of account A is taken at the
 * first entry whose lines bring A's line count to or past a multiple of this number. Not "at batch
 * end": the same log dispatched in batches of 1, 7 or 500, or replayed, must give the same
 * checkpoints (they are part of the ledger), so where they fall cannot depend on batching.
 * 256: a read sums at most 255 lines (well under a millisecond on both dialects) and the table
 * grows by one row per 256 lines of an account (< 0.4 % of the lines). Never change it in place:
 * verify recomputes where checkpoints must be from this number.
 */
export const BALANCE_CHECKPOINT_EVERY_LINES = 256;

export type Totals = { lines: number; debits: number; credits: number };
export type BalanceCheckpoint = Totals & { account_code: string; seq: number };
/** Where an account's newest checkpoint is and the line count it records (what counting the tail needs). */
export type NewestCheckpoint = { seq: number; lines: number };
export const CHECKPOINT_COLUMNS = ['account_code', 'seq', 'line_count', 'debits_minor', 'credits_minor'];

type LineLike = { account: string; direction: string; amount_minor: number };

/**
 * Adds one entry's lines to the running totals (per account, created at zero) and returns the
 * checkpoints the rule puts at this entry, by account code. The writer and verify both use it.
 */
export function advanceTotals(running: Map<string, Totals>, seq: number, lines: readonly LineLike[], every = BALANCE_CHECKPOINT_EVERY_LINES): BalanceCheckpoint[] {
  const before = new Map<string, number>();
  for (const l of lines) {
    let t = running.get(l.account);
    if (!t) running.set(l.account, (t = { lines: 0, debits: 0, credits: 0 }));
    if (!before.has(l.account)) before.set(l.account, t.lines);
    t.lines++;
    if (l.direction === 'D') t.debits += l.amount_minor;
    else t.credits += l.amount_minor;
  }
  let out: BalanceCheckpoint[] | undefined;
  for (const [code, was] of before) {
    const t = running.get(code)!;
    if (Math.floor(was / every) < Math.floor(t.lines / every)) (out ??= []).push({ account_code: code, seq, lines: t.lines, debits: t.debits, credits: t.credits });
  }
  return out ? out.sort((a, b) => (a.account_code < b.account_code ? -1 : a.account_code > b.account_code ? 1 : 0)) : [];
}

export function checkpointRow(c: BalanceCheckpoint): unknown[] {
  return [c.account_code, c.seq, c.lines, c.debits, c.credits];
}

/** The (account_code, entry_seq) index of journal_lines (001_ledger). */
const LINES_BY_ACCOUNT = 'journal_lines_account_code_entry_seq_index';

/** Accounts per statement (each costs one or two bound parameters): a dispatch batch of 500 events touches ≈ 1,500, and each round trip costs more than the rows. */
const CHUNK = 1000;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const num = (v: unknown) => toInt(String(v ?? 0).split('.')[0]);

/** Up to this many accounts, one `ORDER BY seq DESC LIMIT 1` probe each; beyond, one grouped MAX. */
const PROBE_MAX = 8;

/**
 * The newest checkpoint of each account (at or before `upToSeq`). A few accounts (a balance read):
 * one `ORDER BY seq DESC LIMIT 1` per account, an index probe on both dialects however many
 * checkpoints the account has. Many (a batch, verify's seeding): MAX(seq) per account over the
 * primary key joined back to the row, one statement per 1,000 accounts (MariaDB materialises each
 * derived table, so 200 probes in one UNION cost far more than one grouped read).
 */
export async function latestCheckpoints(db: Db, codes: readonly string[], upToSeq?: number): Promise<Map<string, BalanceCheckpoint>> {
  const found = new Map<string, BalanceCheckpoint>();
  const bound = upToSeq === undefined ? '' : ' AND seq <= ?';
  const cols = 'account_code, seq, line_count, debits_minor, credits_minor';
  for (const part of chunks(codes)) {
    let sql: string;
    let bindings: unknown[];
    if (part.length <= PROBE_MAX) {
      sql = part.map((_, i) => `SELECT * FROM (SELECT ${cols} FROM balance_checkpoints WHERE account_code = ?${bound} ORDER BY seq DESC LIMIT 1) AS cp${i}`).join(' UNION ALL ');
      bindings = part.flatMap((c) => (upToSeq === undefined ? [c] : [c, upToSeq]));
    } else {
      sql = `SELECT c.account_code, c.seq, c.line_count, c.debits_minor, c.credits_minor FROM balance_checkpoints c JOIN (SELECT account_code, MAX(seq) AS seq FROM balance_checkpoints WHERE account_code IN (${part.map(() => '?').join(', ')})${bound} GROUP BY account_code) m ON m.account_code = c.account_code AND m.seq = c.seq`;
      bindings = upToSeq === undefined ? [...part] : [...part, upToSeq];
    }
    type Row = { account_code: string; seq: unknown; line_count: unknown; debits_minor: unknown; credits_minor: unknown };
    for (const r of await rawRows<Row>(db, sql, bindings)) {
      found.set(r.account_code, { account_code: r.account_code, seq: toInt(r.seq), lines: num(r.line_count), debits: num(r.debits_minor), credits: num(r.credits_minor) });
    }
  }
  return found;
}

/**
 * Each account's totals as of `upToSeq` (default: every line): its newest checkpoint plus the sums of
 * its lines after it — bounded work per account. Accounts with no lines get zeros.
 */
export async function accountTotals(db: Db, codes: readonly string[], upToSeq?: number): Promise<Map<string, Totals>> {
  return tailAfterCheckpoints(db, codes, upToSeq, true);
}

/**
 * Each account's line count as of `upToSeq` (debits and credits left at 0): the newest checkpoint
 * plus a COUNT of the lines after it, read from the (account_code, entry_seq) index alone (no row
 * lookups). Where the next checkpoints fall needs only this; their totals are read for the few
 * accounts that reach one.
 */
export async function accountLineCounts(db: Db, codes: readonly string[], upToSeq?: number, newest?: ReadonlyMap<string, NewestCheckpoint>): Promise<Map<string, Totals>> {
  return tailAfterCheckpoints(db, codes, upToSeq, false, newest);
}

/** `newest`: the accounts' newest checkpoints when the caller read them already (as of now: only without `upToSeq`); absent from it = none. */
async function tailAfterCheckpoints(db: Db, codes: readonly string[], upToSeq: number | undefined, sums: boolean, newest?: ReadonlyMap<string, NewestCheckpoint>): Promise<Map<string, Totals>> {
  const unique = [...new Set(codes)];
  if (newest && (upToSeq !== undefined || sums)) throw new Error('tailAfterCheckpoints: known checkpoints are for line counts as of now');
  const cps: ReadonlyMap<string, NewestCheckpoint & { debits?: number; credits?: number }> = newest
    ?? (unique.length > 0 ? await latestCheckpoints(db, unique, upToSeq) : new Map<string, BalanceCheckpoint>());
  const out = new Map<string, Totals>();
  for (const c of unique) {
    const cp = cps.get(c);
    out.set(c, cp ? { lines: cp.lines, debits: sums ? cp.debits! : 0, credits: sums ? cp.credits! : 0 } : { lines: 0, debits: 0, credits: 0 });
  }
  for (const part of chunks(unique)) {
    // Explicit (account, after-seq) pairs: a range scan of the (account_code, entry_seq) index per account.
    const cold = part.filter((c) => !cps.has(c));
    const warm = part.filter((c) => cps.has(c));
    // The upper bound sits in each term, so no term is a bare range over entry_seq (the primary key).
    const upTo = upToSeq === undefined ? '' : ' AND entry_seq <= ?';
    const terms: string[] = [];
    const bindings: unknown[] = [];
    if (cold.length > 0) {
      terms.push(`(account_code IN (${cold.map(() => '?').join(', ')})${upTo})`);
      bindings.push(...cold);
      if (upToSeq !== undefined) bindings.push(upToSeq);
    }
    for (const c of warm) {
      terms.push(`(account_code = ? AND entry_seq > ?${upTo})`);
      bindings.push(c, cps.get(c)!.seq);
      if (upToSeq !== undefined) bindings.push(upToSeq);
    }
    const what = sums ? "account_code, direction, COUNT(*) AS n, SUM(amount_minor) AS total" : "account_code, 'N' AS direction, COUNT(*) AS n, 0 AS total";
    const group = sums ? 'account_code, direction' : 'account_code';
    const sql = `SELECT ${what} FROM ${tableWithIndex(db, 'journal_lines', LINES_BY_ACCOUNT)} WHERE ${terms.join(' OR ')} GROUP BY ${group}`;
    type Row = { account_code: string; direction: string; n: unknown; total: unknown };
    for (const r of await rawRows<Row>(db, sql, bindings)) {
      const t = out.get(r.account_code)!;
      t.lines += num(r.n);
      if (r.direction === 'D') t.debits += num(r.total);
      else if (r.direction === 'C') t.credits += num(r.total);
    }
  }
  return out;
}
