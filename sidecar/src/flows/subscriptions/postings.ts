import type { Db } from '../../db/connect.js';
import { readEntry, type JournalEntry } from '../ledger/index.js';

export { accountOfRole, subscriptionKey, type RoleLine, type SubscriptionAccountRole, type SubscriptionEntryKind } from './entries.js';

/** Every entry of a subscription, in seq order (one index range on the unique key; reversals carry keys under the same prefix). */
export async function subscriptionEntries(db: Db, subscription_id: string): Promise<JournalEntry[]> {
  const prefix = `subscription:${subscription_id}:`;
  const pattern = `${prefix.replace(/[!%_]/g, '!$&')}%`;
  const keys = (await db('journal_entries').whereRaw("idempotency_key LIKE ? ESCAPE '!'", [pattern]).orderBy('seq').select('idempotency_key')) as Array<{ idempotency_key: string }>;
  const out: JournalEntry[] = [];
  for (const k of keys) {
    const e = await readEntry(db, { idempotency_key: k.idempotency_key });
    if (e) out.push(e);
  }
  return out;
}
