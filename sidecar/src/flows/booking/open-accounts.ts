import type { Db } from '../../db/connect.js';
import { findAccounts, openAccount } from '../ledger/index.js';
import { insertRows } from '../ledger/multi-row-insert.js';
import type { ChartAccount } from '../vocabulary.js';

/** Accounts per read (bound parameters: well under both dialects' limits). */
const PER_STATEMENT = 2000;

/** Opens the accounts an entry needs (idempotent), at the event time that first needs them. One read for all. */
export async function ensureAccounts(db: Db, accounts: ChartAccount[], opened_at: string): Promise<void> {
  await ensureAccountsAt(db, accounts.map((account) => ({ account, opened_at })));
}

/**
 * Opens accounts, each at its own moment (a batch's accounts, each at the event that first needs
 * it): one read, one multi-row INSERT and one read to check per 2,000 accounts (a batch of 500
 * events opens ≈ 1,500: a round trip each costs more than the rows, on a loaded server).
 */
export async function ensureAccountsAt(db: Db, wanted: Array<{ account: ChartAccount; opened_at: string }>): Promise<void> {
  if (wanted.length === 0) return;
  const open = new Map<string, Awaited<ReturnType<typeof findAccounts>> extends Map<string, infer A> ? A : never>();
  for (let i = 0; i < wanted.length; i += PER_STATEMENT) for (const [k, v] of await findAccounts(db, wanted.slice(i, i + PER_STATEMENT).map((w) => w.account.code))) open.set(k, v);
  const missing = new Map<string, { account: ChartAccount; opened_at: string }>();
  for (const w of wanted) {
    const a = w.account;
    const existing = open.get(a.code);
    // An existing account of another type or unit is a conflict: openAccount says so, typed.
    if (existing && (existing.type !== a.type || existing.unit !== a.unit)) await openAccount(db, { ...a, opened_at: w.opened_at });
    if (!existing && !missing.has(a.code)) missing.set(a.code, w);
  }
  if (missing.size === 0) return;
  // New accounts in few statements; one opened meanwhile by another writer is left as it is, then checked.
  const rows = [...missing.values()].map(({ account: a, opened_at }) => [a.code, a.type, a.unit, a.name, opened_at]);
  await insertRows(db, 'accounts', ['code', 'type', 'unit', 'name', 'opened_at'], rows, { ignoreDuplicates: true });
  const codes = [...missing.keys()];
  for (let i = 0; i < codes.length; i += PER_STATEMENT) {
    const now = await findAccounts(db, codes.slice(i, i + PER_STATEMENT));
    for (const code of codes.slice(i, i + PER_STATEMENT)) {
      const w = missing.get(code)!;
      const got = now.get(code);
      if (!got || got.type !== w.account.type || got.unit !== w.account.unit) await openAccount(db, { ...w.account, opened_at: w.opened_at });
    }
  }
}
