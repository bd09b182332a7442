import { normalizeInstant } from './post-entry.js';
import { DomainError, isIsoUtc } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import { findAccount } from './accounts.js';
import { isDebitNormal, type AccountType } from './types.js';
import { accountTotals } from './balance-checkpoints.js';

export type Balance = { account: string; type: AccountType; unit: string; debits_minor: bigint; credits_minor: bigint; balance_minor: bigint };

export type AsOf = { seq?: number; time?: string };

function timeBound(asOf: AsOf): string | undefined {
  if (asOf.time === undefined) return undefined;
  if (!isIsoUtc(asOf.time)) throw new DomainError('validation_failed', 'as-of time must be ISO 8601 UTC', { field: 'as_of' });
  return normalizeInstant(asOf.time);
}

/** An account's balance on its normal side: assets and expenses grow with debits, the others with credits. */
export function naturalBalance(type: AccountType, debits: bigint, credits: bigint): bigint {
  return isDebitNormal(type) ? debits - credits : credits - debits;
}

/**
 * The sums of an account's debit and credit lines (exact), as of an entry seq or an event time.
 * Now or as of a seq: the account's newest balance checkpoint (at or before the seq) plus the lines
 * after it, so the cost does not grow with the account's history. As of an event time (entries
 * are in seq order, not time order, so no checkpoint bounds it): the sum over every line.
 */
export async function lineTotals(db: Db, code: string, asOf: AsOf = {}): Promise<{ debits: bigint; credits: bigint }> {
  if (asOf.time !== undefined) return lineTotalsFullSum(db, code, asOf);
  const t = (await accountTotals(db, [code], asOf.seq)).get(code)!;
  return { debits: BigInt(t.debits), credits: BigInt(t.credits) };
}

/** The same sums over every line of the account: the path before checkpoints (the bench's baseline, and the property test's reference). */
export async function lineTotalsFullSum(db: Db, code: string, asOf: AsOf = {}): Promise<{ debits: bigint; credits: bigint }> {
  const time = timeBound(asOf);
  let q = db('journal_lines as l').where('l.account_code', code);
  if (asOf.seq !== undefined) q = q.where('l.entry_seq', '<=', asOf.seq);
  if (time !== undefined) q = q.join('journal_entries as e', 'e.seq', 'l.entry_seq').where('e.occurred_at', '<=', time);
  const rows = (await q.groupBy('l.direction').select('l.direction').sum({ total: 'l.amount_minor' })) as Array<{ direction: string; total: unknown }>;
  let debits = 0n;
  let credits = 0n;
  for (const r of rows) {
    const v = BigInt(String(r.total ?? 0).split('.')[0]!);
    if (r.direction === 'D') debits += v;
    else credits += v;
  }
  return { debits, credits };
}

/**
 * The balance of an account, derived from its lines (never stored), as of an entry seq or an
 * event time (inclusive), on the account's normal side.
 */
export async function balanceOf(db: Db, code: string, asOf: AsOf = {}): Promise<Balance> {
  const account = await findAccount(db, code);
  if (!account) throw new DomainError('unknown_account', `account ${code} does not exist`, { account: code });
  const { debits, credits } = await lineTotals(db, code, asOf);
  return { account: code, type: account.type, unit: account.unit, debits_minor: debits, credits_minor: credits, balance_minor: naturalBalance(account.type, debits, credits) };
}

export type TrialBalanceRow = { unit: string; debits_minor: bigint; credits_minor: bigint };

/** Totals of debits and credits per unit over the whole ledger: equal in a sound ledger. */
export async function trialBalance(db: Db, asOf: AsOf = {}): Promise<{ rows: TrialBalanceRow[]; accounts: Balance[] }> {
  const time = timeBound(asOf);
  let q = db('journal_lines as l').join('accounts as a', 'a.code', 'l.account_code');
  if (asOf.seq !== undefined) q = q.where('l.entry_seq', '<=', asOf.seq);
  if (time !== undefined) q = q.join('journal_entries as e', 'e.seq', 'l.entry_seq').where('e.occurred_at', '<=', time);
  const rows = (await q
    .groupBy('l.account_code', 'a.type', 'l.unit', 'l.direction')
    .orderBy('l.account_code')
    .select('l.account_code', 'a.type', 'l.unit', 'l.direction')
    .sum({ total: 'l.amount_minor' })) as Array<{ account_code: string; type: AccountType; unit: string; direction: string; total: unknown }>;
  const accounts = new Map<string, Balance>();
  for (const r of rows) {
    let b = accounts.get(r.account_code);
    if (!b) accounts.set(r.account_code, (b = { account: r.account_code, type: r.type, unit: r.unit, debits_minor: 0n, credits_minor: 0n, balance_minor: 0n }));
    const v = BigInt(String(r.total ?? 0).split('.')[0]!);
    if (r.direction === 'D') b.debits_minor += v;
    else b.credits_minor += v;
  }
  const perUnit = new Map<string, TrialBalanceRow>();
  for (const b of accounts.values()) {
    b.balance_minor = naturalBalance(b.type, b.debits_minor, b.credits_minor);
    let u = perUnit.get(b.unit);
    if (!u) perUnit.set(b.unit, (u = { unit: b.unit, debits_minor: 0n, credits_minor: 0n }));
    u.debits_minor += b.debits_minor;
    u.credits_minor += b.credits_minor;
  }
  return { rows: [...perUnit.values()].sort((a, b) => a.unit.localeCompare(b.unit)), accounts: [...accounts.values()] };
}
