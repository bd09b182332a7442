import type { Db } from '../../db/connect.js';
import { findAccounts, openAccount } from '../ledger/index.js';
import type { ChartAccount } from '../vocabulary.js';

/** Opens the accounts an entry needs (idempotent), at the event time that first needs them. One read for all. */
export async function ensureAccounts(db: Db, accounts: ChartAccount[], opened_at: string): Promise<void> {
  const open = await findAccounts(db, accounts.map((a) => a.code));
  const missing = new Map<string, ChartAccount>();
  for (const a of accounts) {
    const existing = open.get(a.code);
    // An existing account of another type or unit is a conflict: openAccount says so, typed.
    if (existing && (existing.type !== a.type || existing.unit !== a.unit)) await openAccount(db, { ...a, opened_at });
    if (!existing) missing.set(a.code, a);
  }
  if (missing.size === 0) return;
  // New accounts in one statement; one opened meanwhile by another writer is left as it is, then checked.
  const rows = [...missing.values()].map((a) => ({ code: a.code, type: a.type, unit: a.unit, name: a.name, opened_at }));
  // In chunks: SQLite's compound insert takes at most 500 rows (an entry has at most 64 lines anyway).
  for (let i = 0; i < rows.length; i += 200) await db('accounts').insert(rows.slice(i, i + 200)).onConflict('code').ignore();
  const now = await findAccounts(db, [...missing.keys()]);
  for (const [code, a] of missing) {
    const got = now.get(code);
    if (!got || got.type !== a.type || got.unit !== a.unit) await openAccount(db, { ...a, opened_at });
  }
}
