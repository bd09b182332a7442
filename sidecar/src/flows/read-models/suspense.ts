import type { Db } from '../../db/connect.js';
import { readEntriesByKeys } from '../ledger/read-entries.js';
import { KIND, parseAccount } from '../vocabulary.js';

export type SuspenseRow = {
  seq: number; occurred_at: string; booking_id: string | null; object_kind: string; object_id: string;
  currency: string; amount_minor: number; direction: 'out' | 'in'; reversed: boolean; reason: string; event_id: string;
};

/**
 * Every real movement outside policy (issue #13), oldest first: what Stripe moved that no decision
 * intended, posted to the suspense account. Each stays listed (a failed refund shows `reversed`)
 * until reconciliation explains it; the suspense balance per currency is what is unexplained.
 */
export async function suspenseMovements(db: Db): Promise<{ movements: SuspenseRow[]; balances: Array<{ currency: string; balance_minor: number }> }> {
  const keys = (await db('journal_entries').where({ kind: KIND.movement_outside_policy }).orderBy('seq').select('idempotency_key')) as Array<{ idempotency_key: string }>;
  const entries = await readEntriesByKeys(db, keys.map((k) => k.idempotency_key));
  const reversedKeys = new Set(((await db('journal_entries').whereIn('reverses_seq', [...entries.values()].map((e) => e.seq)).select('reverses_seq')) as Array<{ reverses_seq: unknown }>).map((r) => Number(r.reverses_seq)));
  const balances = new Map<string, number>();
  const movements = [...entries.values()].sort((a, b) => a.seq - b.seq).map((e) => {
    const line = e.lines.find((l) => parseAccount(l.account)?.role === 'suspense')!;
    const signed = line.direction === 'D' ? line.amount_minor : -line.amount_minor;
    const reversed = reversedKeys.has(e.seq);
    if (!reversed) balances.set(line.unit, (balances.get(line.unit) ?? 0) + signed);
    return {
      seq: e.seq, occurred_at: e.occurred_at, booking_id: e.booking_id, object_kind: String(e.meta.object_kind ?? ''), object_id: String(e.meta.reported ?? ''),
      currency: line.unit, amount_minor: line.amount_minor, direction: line.direction === 'D' ? 'out' as const : 'in' as const, reversed,
      reason: String(e.meta.outside_policy ?? ''), event_id: String(e.meta.event_id ?? ''),
    };
  });
  return { movements, balances: [...balances.entries()].map(([currency, balance_minor]) => ({ currency, balance_minor })) };
}
