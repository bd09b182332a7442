import type { Db } from '../../db/connect.js';
import { DomainError } from '../../kernel/index.js';
import { postEntry, readEntry, reverseEntry, type JournalEntry, type JournalLine, type PostResult } from '../ledger/index.js';
import { chart, ensureAccounts, type ChartAccount } from '../booking/chart.js';

/**
 * Host-subscription postings: NORA's role lines become journal lines on the chart's accounts.
 * Every key starts `subscription:<sub>:` so a host's subscription entries are one index range.
 */
/** The accounts a subscription line may name, by role (NORA's SubscriptionAccountRole is the same union; checked in pipeline). */
export type SubscriptionAccountRole =
  | 'stripe_balance' | 'host_receivable' | 'host_offset_receivable' | 'host_billing_credit' | 'host_payable'
  | 'subscription_revenue' | 'proration_revenue' | 'deferred_revenue' | 'contra_revenue' | 'tax_payable' | 'bad_debt';
export type RoleLine = { role: SubscriptionAccountRole; direction: 'D' | 'C'; amount_minor: number; note: string };

export type SubscriptionEntryKind =
  | 'subscription_invoiced' | 'subscription_payment' | 'subscription_offset' | 'subscription_written_off'
  | 'subscription_credit_note' | 'subscription_revenue_recognised';

type EventRef = { inbox_id: number; event_id: string; occurred_at: string; decision_id?: string };

export function accountOfRole(role: SubscriptionAccountRole, host_id: string, c: string): ChartAccount {
  switch (role) {
    case 'stripe_balance': return chart.stripeBalance(c);
    case 'host_receivable': return chart.hostSubscriptionReceivable(host_id, c);
    case 'host_offset_receivable': return chart.hostOffsetReceivable(host_id, c);
    case 'host_billing_credit': return chart.hostBillingCredit(host_id, c);
    case 'host_payable': return chart.hostPayable(host_id, c);
    case 'subscription_revenue': return chart.subscriptionRevenue(c);
    case 'proration_revenue': return chart.subscriptionProration(c);
    case 'deferred_revenue': return chart.deferredSubscriptionRevenue(c);
    case 'contra_revenue': return chart.subscriptionDiscounts(c);
    case 'tax_payable': return chart.taxesPayable(c);
    case 'bad_debt': return chart.subscriptionBadDebt(c);
  }
}

export const subscriptionKey = (subscription_id: string, what: string, id: string) => `subscription:${subscription_id}:${what}:${id}`;

/**
 * Posts role lines as one entry. `reported`: the entry records something several events report
 * (invoice.paid and invoice_payment.paid): the first posts, a later one with the same amount is a
 * replay, another amount a conflict.
 */
export async function postRoleLines(db: Db, x: {
  key: string; kind: SubscriptionEntryKind; host_id: string; subscription_id: string; currency: string; description: string;
  lines: RoleLine[]; ev: EventRef; meta?: Record<string, unknown>; reported_minor?: number;
}): Promise<PostResult | null> {
  if (x.reported_minor !== undefined) {
    const existing = await readEntry(db, { idempotency_key: x.key });
    if (existing) {
      if (existing.meta.reported_amount_minor !== x.reported_minor) {
        throw new DomainError('idempotency_conflict', `${x.key} was posted for ${String(existing.meta.reported_amount_minor)}, now reported as ${x.reported_minor}`, { idempotency_key: x.key });
      }
      return { entry: existing, replayed: true };
    }
  }
  if (x.lines.length === 0) return null;
  const accounts = x.lines.map((l) => accountOfRole(l.role, x.host_id, x.currency));
  await ensureAccounts(db, accounts, x.ev.occurred_at);
  const lines: JournalLine[] = x.lines.map((l, i) => ({ account: accounts[i]!.code, unit: accounts[i]!.unit, direction: l.direction, amount_minor: l.amount_minor }));
  return postEntry(db, {
    idempotency_key: x.key, kind: x.kind, booking_id: null, occurred_at: x.ev.occurred_at, description: x.description, lines,
    meta: {
      event_id: x.ev.event_id, inbox_id: x.ev.inbox_id, ...(x.ev.decision_id ? { decision_id: x.ev.decision_id } : {}),
      host_id: x.host_id, subscription_id: x.subscription_id, line_notes: x.lines.map((l) => l.note),
      ...(x.reported_minor !== undefined ? { reported_amount_minor: x.reported_minor } : {}), ...x.meta,
    },
  });
}

/** Reverses an entry once (a voided invoice or credit note); nothing if it was never posted. */
export async function reverseOnce(db: Db, key: string, reversal_key: string, reason: string, ev: EventRef): Promise<PostResult | null> {
  const original = await readEntry(db, { idempotency_key: key });
  if (!original) return null;
  const done = await readEntry(db, { idempotency_key: reversal_key });
  if (done) return { entry: done, replayed: true };
  return reverseEntry(db, { seq: original.seq, idempotency_key: reversal_key, occurred_at: ev.occurred_at, reason, meta: { event_id: ev.event_id, inbox_id: ev.inbox_id } });
}

/** Every entry of a subscription, in seq order (one index range on the unique key). */
export async function subscriptionEntries(db: Db, subscription_id: string): Promise<JournalEntry[]> {
  const prefix = `subscription:${subscription_id}:`;
  const pattern = `${prefix.replace(/[!%_]/g, '!$&')}%`;
  const keys = (await db('journal_entries').whereRaw("idempotency_key LIKE ? ESCAPE '!'", [pattern]).orderBy('seq').select('idempotency_key')) as Array<{ idempotency_key: string }>;
  const out: JournalEntry[] = [];
  for (const k of keys) {
    const e = await readEntry(db, { idempotency_key: k.idempotency_key });
    if (e) out.push(e);
  }
  // Reversals carry their own keys under the same prefix, so they are already included.
  return out;
}
