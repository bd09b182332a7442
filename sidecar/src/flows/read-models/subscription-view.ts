import type { Db } from '../../db/connect.js';
import { stripeObject } from '../booking/store.js';
import { heldIn } from '../booking/postings.js';
import { chart } from '../vocabulary.js';
import { currentSnapshot, dunningStepsOf, invoiceEventsOf, loadSubscriptionRows, openInvoices, schedulesOfInvoice, subscriptionOfHost } from '../subscriptions/store.js';
import { subscriptionEntries } from '../subscriptions/postings.js';

/**
 * GET /hosts/:id/subscription: state and current period; each invoice with its status history and
 * its ledger entries; dunning steps (holds, offsets, unbookable listings, releases) with their
 * decisions; what the host owes. Everything from the log.
 */
export async function subscriptionView(db: Db, host_id: string) {
  const rows = await loadSubscriptionRows(db);
  const sub = subscriptionOfHost(rows, host_id);
  if (!sub) return undefined;
  const snap = currentSnapshot(rows, sub.subscription_id);
  const events = invoiceEventsOf(rows, sub.subscription_id);
  const entries = await subscriptionEntries(db, sub.subscription_id);
  const ids = [...new Set(events.map((e) => e.invoice_id))];
  const invoices = await Promise.all(ids.map(async (invoice_id) => {
    const seen = await stripeObject(db, invoice_id);
    const data = (seen?.data ?? {}) as { total_minor?: number; amount_due_minor?: number; tax_minor?: number };
    const mine = entries.filter((e) => e.meta.invoice_id === invoice_id || e.idempotency_key.endsWith(`:${invoice_id}`));
    return {
      invoice_id, total_minor: data.total_minor ?? null, amount_due_minor: data.amount_due_minor ?? null, tax_minor: data.tax_minor ?? null,
      status: events.filter((e) => e.invoice_id === invoice_id).map((e) => ({ status: e.status, at: e.at, amount_remaining_minor: e.amount_remaining_minor })),
      revenue_schedules: schedulesOfInvoice(rows, invoice_id),
      entries: mine.map((e) => ({ seq: e.seq, idempotency_key: e.idempotency_key, kind: e.kind, occurred_at: e.occurred_at, lines: e.lines })),
    };
  }));
  const steps = dunningStepsOf(rows, sub.subscription_id);
  const c = sub.currency;
  return {
    host_id, subscription_id: sub.subscription_id, customer: sub.customer, linked_by: sub.linked_by, currency: c,
    policy: sub.policy,
    state: snap?.state ?? null, price: snap?.price ?? null,
    current_period: snap ? { start: snap.period_start, end: snap.period_end } : null,
    open_invoices: openInvoices(rows, sub.subscription_id),
    owed_minor: {
      receivable: await heldIn(db, chart.hostSubscriptionReceivable(host_id, c)),
      to_offset_from_payouts: await heldIn(db, chart.hostOffsetReceivable(host_id, c)),
      billing_credit: await heldIn(db, chart.hostBillingCredit(host_id, c)),
    },
    holds: steps.filter((s) => s.step === 'hold' || s.step === 'unbookable' || s.step === 'release'),
    offsets: steps.filter((s) => s.step === 'offset'),
    invoices,
  };
}
