import type { JournalLine } from '../ledger/index.js';
import { chart, KIND, type ChartAccount, type EntryKind } from '../vocabulary.js';
import type { EntryIntent, EventRef } from '../booking/entries.js';

/**
 * Host-subscription journal entries as data (the shape of flows/booking/entries.ts): NORA's role
 * lines become lines on the chart's accounts. Every key starts `subscription:<sub>:` so a host's
 * subscription entries are one index range. Nothing here reads a balance or a database.
 */

/** The accounts a subscription line may name, by role (NORA's SubscriptionAccountRole is the same union; checked in pipeline). */
export type SubscriptionAccountRole =
  | 'stripe_balance' | 'stripe_fees' | 'host_receivable' | 'host_offset_receivable' | 'host_billing_credit' | 'host_payable'
  | 'subscription_revenue' | 'proration_revenue' | 'deferred_revenue' | 'contra_revenue' | 'tax_payable' | 'bad_debt';
export type RoleLine = { role: SubscriptionAccountRole; direction: 'D' | 'C'; amount_minor: number; note: string };

export type SubscriptionEntryKind = Extract<EntryKind, `subscription_${string}`> | typeof KIND.stripe_fee;

export function accountOfRole(role: SubscriptionAccountRole, host_id: string, c: string): ChartAccount {
  switch (role) {
    case 'stripe_balance': return chart.stripeBalance(c);
    case 'stripe_fees': return chart.stripeFees(c);
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
 * One entry of role lines, or null when it moves nothing. `reported_minor`: the entry records
 * something several events report (invoice.paid and invoice_payment.paid): the first posts, a later
 * report of the same amount is a replay, another amount a conflict.
 */
export function subscriptionEntry(x: {
  key: string; kind: SubscriptionEntryKind; host_id: string; subscription_id: string; currency: string; description: string;
  lines: RoleLine[]; ev: EventRef; meta?: Record<string, unknown>; reported_minor?: number;
}): EntryIntent | null {
  if (x.lines.length === 0) return null;
  const accounts = x.lines.map((l) => accountOfRole(l.role, x.host_id, x.currency));
  const lines: JournalLine[] = x.lines.map((l, i) => ({ account: accounts[i]!.code, unit: accounts[i]!.unit, direction: l.direction, amount_minor: l.amount_minor }));
  const reported = x.reported_minor !== undefined ? { object_id: x.key, amount_minor: x.reported_minor } : undefined;
  return {
    request: {
      idempotency_key: x.key, kind: x.kind, booking_id: null, occurred_at: x.ev.occurred_at, description: x.description, lines,
      meta: {
        event_id: x.ev.event_id, inbox_id: x.ev.inbox_id, ...(x.ev.decision_id ? { decision_id: x.ev.decision_id } : {}),
        host_id: x.host_id, subscription_id: x.subscription_id, line_notes: x.lines.map((l) => l.note), ...x.meta,
        ...(reported ? { reported: reported.object_id, reported_amount_minor: reported.amount_minor } : {}),
      },
    },
    accounts,
    ...(reported ? { reported } : {}),
  };
}
