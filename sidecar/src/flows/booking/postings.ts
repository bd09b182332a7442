import type { Db } from '../../db/connect.js';
import { DomainError } from '../../kernel/index.js';
import { lineTotals, naturalBalance, postEntries, readEntriesByKeys, type JournalEntry, type PostResult } from '../ledger/index.js';
import type { ChartAccount } from '../vocabulary.js';
import { ensureAccounts } from './open-accounts.js';
import type { EntryIntent } from './entries.js';

/**
 * The one posting path of the booking lifecycle: entries built by `entries.ts` (amounts already
 * final), written with `postEntries`. Nothing here decides or trims an amount. A Stripe-reported
 * entry whose key is taken is a replay when the reported amount matches, a conflict otherwise.
 */
export async function postEntryIntents(db: Db, intents: Array<EntryIntent | null>, opts: { open?: { accounts: ChartAccount[]; at: string } } = {}): Promise<Array<PostResult | null>> {
  const list = intents.filter((i): i is EntryIntent => i !== null);
  if (opts.open) await ensureAccounts(db, opts.open.accounts, opts.open.at);
  if (list.length === 0) return intents.map(() => null);
  const reportedKeys = list.filter((i) => i.reported).map((i) => i.request.idempotency_key);
  const existing = reportedKeys.length > 0 ? await readEntriesByKeys(db, reportedKeys) : new Map<string, JournalEntry>();
  const out = new Map<EntryIntent, PostResult>();
  const fresh: EntryIntent[] = [];
  for (const i of list) {
    const seen = i.reported ? existing.get(i.request.idempotency_key) : undefined;
    if (seen && i.reported) {
      if (seen.meta.reported_amount_minor !== i.reported.amount_minor) {
        throw new DomainError('idempotency_conflict', `${i.reported.object_id} was posted for ${String(seen.meta.reported_amount_minor)}, now reported as ${i.reported.amount_minor}`, { idempotency_key: i.request.idempotency_key });
      }
      out.set(i, { entry: seen, replayed: true });
    } else fresh.push(i);
  }
  if (fresh.length > 0) {
    // Each account opens at the event time of the first entry that needs it.
    const byTime = new Map<string, Map<string, ChartAccount>>();
    const seen = new Set<string>();
    for (const i of fresh) {
      for (const a of i.accounts) {
        if (seen.has(a.code)) continue;
        seen.add(a.code);
        let group = byTime.get(i.request.occurred_at);
        if (!group) byTime.set(i.request.occurred_at, (group = new Map()));
        group.set(a.code, a);
      }
    }
    for (const [at, group] of byTime) await ensureAccounts(db, [...group.values()], at);
    const posted = await postEntries(db, fresh.map((i) => i.request));
    fresh.forEach((i, n) => out.set(i, posted[n]!));
  }
  return intents.map((i) => (i ? out.get(i) ?? null : null));
}

/** One entry through the same path. */
export async function postEntryIntent(db: Db, intent: EntryIntent | null): Promise<PostResult | null> {
  return (await postEntryIntents(db, [intent]))[0]!;
}

/** An account's balance on its normal side (assets: debits − credits; liabilities: credits − debits), 0 if never opened. */
export async function heldIn(db: Db, a: ChartAccount): Promise<number> {
  // The chart already says the account's type: one aggregate, no account lookup.
  const { debits, credits } = await lineTotals(db, a.code);
  return Number(naturalBalance(a.type, debits, credits));
}
