import type { Db } from '../../db/connect.js';
import { readEntry, reverseEntry, type JournalEntry, type PostResult } from '../ledger/index.js';
import { postEntryIntent } from '../booking/postings.js';
import type { EventRef } from '../booking/entries.js';
import { subscriptionEntry } from './entries.js';

export { accountOfRole, subscriptionKey, type RoleLine, type SubscriptionAccountRole, type SubscriptionEntryKind } from './entries.js';

/** Posts a subscription entry through the one posting path (postEntryIntents). */
export function postRoleLines(db: Db, x: Parameters<typeof subscriptionEntry>[0]): Promise<PostResult | null> {
  return postEntryIntent(db, subscriptionEntry(x));
}

/** Reverses an entry once (a voided invoice or credit note); nothing if it was never posted. */
export async function reverseOnce(db: Db, key: string, reversal_key: string, reason: string, ev: EventRef): Promise<PostResult | null> {
  const original = await readEntry(db, { idempotency_key: key });
  if (!original) return null;
  const done = await readEntry(db, { idempotency_key: reversal_key });
  if (done) return { entry: done, replayed: true };
  return reverseEntry(db, { seq: original.seq, idempotency_key: reversal_key, occurred_at: ev.occurred_at, reason, meta: { event_id: ev.event_id, inbox_id: ev.inbox_id } });
}

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
