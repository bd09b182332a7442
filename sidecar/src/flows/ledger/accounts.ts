import { DomainError, isUnit } from '../../kernel/index.js';
import { isUniqueViolation, type Db } from '../../db/connect.js';
import { ACCOUNT_TYPES, type Account, type AccountType } from './types.js';

const CODE = /^[a-z0-9_]+(:[A-Za-z0-9_.\-]+)*$/;

/**
 * Opens an account if it is not open yet. Opening the same code with another type or unit is a
 * conflict: an account's nature never changes.
 */
export async function openAccount(db: Db, account: Account & { opened_at: string }): Promise<Account> {
  if (!CODE.test(account.code) || account.code.length > 191) throw new DomainError('validation_failed', `bad account code ${account.code}`);
  if (!ACCOUNT_TYPES.includes(account.type)) throw new DomainError('validation_failed', `bad account type ${account.type}`);
  if (!isUnit(account.unit)) throw new DomainError('validation_failed', `bad unit ${account.unit}`);
  const existing = await findAccount(db, account.code);
  if (existing) return sameOrConflict(existing, account);
  try {
    await db('accounts').insert({ code: account.code, type: account.type, unit: account.unit, name: account.name, opened_at: account.opened_at });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const raced = await findAccount(db, account.code);
    if (raced) return sameOrConflict(raced, account);
    throw e;
  }
  return { code: account.code, type: account.type, unit: account.unit, name: account.name };
}

function sameOrConflict(existing: Account, wanted: Account): Account {
  if (existing.type !== wanted.type || existing.unit !== wanted.unit) {
    throw new DomainError('currency_mismatch', `account ${wanted.code} exists as ${existing.type}/${existing.unit}`, { account: wanted.code });
  }
  return existing;
}

export async function findAccount(db: Db, code: string): Promise<Account | undefined> {
  const row = await db('accounts').where({ code }).first('code', 'type', 'unit', 'name');
  return row ? { code: row.code, type: row.type as AccountType, unit: row.unit, name: row.name } : undefined;
}

export async function findAccounts(db: Db, codes: string[]): Promise<Map<string, Account>> {
  const rows = codes.length === 0 ? [] : await db('accounts').whereIn('code', [...new Set(codes)]).select('code', 'type', 'unit', 'name');
  return new Map(rows.map((r: Account) => [r.code, { code: r.code, type: r.type, unit: r.unit, name: r.name }]));
}

export async function listAccounts(db: Db): Promise<Account[]> {
  return (await db('accounts').orderBy('code').select('code', 'type', 'unit', 'name')) as Account[];
}
