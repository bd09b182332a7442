import type { Db } from '../../db/connect.js';

/**
 * A host's current payout destination and, when it REPLACED another account, the event time of
 * that change (issue #13: a re-pointed account receives nothing until the payout-hold policy's
 * holding period has passed). A first connection is not a change: `changed_at` is null.
 */
export async function hostPayoutAccount(db: Db, host_id: string): Promise<{ account: string; changed_at: string | null; previous: string | null } | undefined> {
  const rows = (await db('host_connections as c').join('inbox_events as e', 'e.id', 'c.inbox_id').where('c.host_id', host_id).orderBy('c.id')
    .select('c.stripe_account_id', 'e.occurred_at')) as Array<{ stripe_account_id: string; occurred_at: string }>;
  const last = rows[rows.length - 1];
  if (!last) return undefined;
  const previous = [...rows].reverse().find((r) => r.stripe_account_id !== last.stripe_account_id);
  if (!previous) return { account: last.stripe_account_id, changed_at: null, previous: null };
  // The change is the first connection to the current account after the previous one.
  const since = rows.slice(rows.lastIndexOf(previous) + 1)[0]!;
  return { account: last.stripe_account_id, changed_at: since.occurred_at, previous: previous.stripe_account_id };
}
