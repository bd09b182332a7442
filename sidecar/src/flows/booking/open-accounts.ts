import type { Db } from '../../db/connect.js';
import { findAccounts, openAccount } from '../ledger/index.js';
import type { ChartAccount } from '../vocabulary.js';

/** Opens the accounts an entry needs (idempotent), at the event time that first needs them. One read for all. */
export async function ensureAccounts(db: Db, accounts: ChartAccount[], opened_at: string): Promise<void> {
  await ensureAccountsAt(db, accounts.map((account) => ({ account, opened_at })));
}

/**
 * Opens accounts, each at its own moment (a batch's accounts, each at the event that first needs
 * it): one read for all, one multi-row INSERT per 200 new accounts, one read to check.
 */
export async function ensureAccountsAt(db: Db, wanted: Array<{ account: ChartAccount; opened_at: string }>): Promise<void> {
  if (wanted.length === 0) return;
  const open = new Map<string, Awaited<ReturnType<typeof findAccounts>> extends Map<string, infer A> ? A : never>();
  for (let i = 0; i < wanted.length; i += 500) for (const [k, v] of await findAccounts(db, wanted.slice(i, i + 500).map((w) => w.account.code))) open.set(k, v);
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
  const rows = [...missing.values()].map(({ account: a, opened_at }) => ({ code: a.code, type: a.type, unit: a.unit, name: a.name, opened_at }));
  // In chunks: SQLite's compound insert takes at most 500 rows.
  for (let i = 0; i < rows.length; i += 200) await db('accounts').insert(rows.slice(i, i + 200)).onConflict('code').ignore();
  const codes = [...missing.keys()];
  for (let i = 0; i < codes.length; i += 500) {
    const now = await findAccounts(db, codes.slice(i, i + 500));
    for (const code of codes.slice(i, i + 500)) {
      const w = missing.get(code)!;
      const got = now.get(code);
      if (!got || got.type !== w.account.type || got.unit !== w.account.unit) await openAccount(db, { ...w.account, opened_at: w.opened_at });
    }
  }
}
