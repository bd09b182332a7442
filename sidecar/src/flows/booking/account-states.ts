import { toInt, type Db } from '../../db/connect.js';

/** A host's Stripe connected account as its latest `account.updated` reported it. */
export type AccountState = {
  stripe_account_id: string; charges_enabled: boolean; payouts_enabled: boolean;
  transfers_capability: string; disabled_reason: string | null; occurred_at: string; inbox_id: number;
};

export async function recordAccountState(db: Db, s: AccountState): Promise<void> {
  await db('host_account_states').insert(s);
}

/**
 * The account's state as of the latest report by event time (Stripe may deliver out of order; the
 * later event wins, ties by log order). Undefined: never reported, nothing known against it.
 */
export async function accountState(db: Db, stripe_account_id: string): Promise<AccountState | undefined> {
  const row = await db('host_account_states').where({ stripe_account_id }).orderBy('occurred_at', 'desc').orderBy('id', 'desc').first();
  if (!row) return undefined;
  return { ...row, charges_enabled: Boolean(row.charges_enabled), payouts_enabled: Boolean(row.payouts_enabled), inbox_id: toInt(row.inbox_id) };
}

/** Accounts named in host_connections, for streams to unpark and holds to re-check. */
export async function hostsOfAccount(db: Db, stripe_account_id: string): Promise<string[]> {
  const rows = await db('host_connections').where({ stripe_account_id }).distinct('host_id');
  return rows.map((r: { host_id: string }) => r.host_id);
}
