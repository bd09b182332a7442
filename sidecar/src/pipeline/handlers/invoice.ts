import { DomainError, formatIsoUtc } from '../../kernel/index.js';
import { KIND } from '../../flows/vocabulary.js';
import { reversalEntry } from '../../flows/booking/entries.js';
import type { HostSubscription } from '../../flows/subscriptions/store.js';
import { subscriptionEntry, subscriptionKey } from '../../flows/subscriptions/entries.js';
import { intentIdFor } from '../../flows/outbox/intents.js';
import { creditNoteLines, expectKind, invoiceFeeLines, invoiceIssuedLines, invoicePaidLines, invoiceUncollectibleLines, type InvoiceFacts } from '../../nora/index.js';
import { ParkEvent, ref } from '../context.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';
import { creditNoteOf, invoiceOf, invoicePaymentOf, type InvoiceReport } from '../stripe-billing.js';
import { subscriptionOfInvoice } from '../subscription-facts.js';
import { reviewDunning } from '../subscription-dunning.js';

type Obj = Record<string, unknown>;
const objectOf = (event: DispatchEvent): Obj => (event.source === 'stripe_api' ? event.payload : (event.payload.data as { object: Obj }).object);

function requireSubscription(state: HandlerState, inv: { invoice_id: string; subscription_id: string | null; customer: string; currency: string }): HostSubscription {
  const sub = subscriptionOfInvoice(state.subscriptionRows(), inv);
  if (!sub) throw new ParkEvent('subscription_not_linked', `invoice ${inv.invoice_id}: subscription ${inv.subscription_id ?? '(none)'} / customer ${inv.customer} is not linked to a host yet`);
  if (inv.currency !== sub.currency) throw new DomainError('currency_mismatch', `invoice ${inv.invoice_id} is in ${inv.currency}, subscription ${sub.subscription_id} in ${sub.currency}`);
  return sub;
}

const keysOf = (sub: HostSubscription, invoice_id: string) => [`sub:${sub.subscription_id}`, `cus:${sub.customer}`, `in:${invoice_id}`];

/** Reverses an entry once (a voided invoice or credit note); nothing if it was never posted. */
function reverseOnce(state: HandlerState, key: string, reversal_key: string, reason: string, event: DispatchEvent) {
  const original = state.entry(key);
  if (!original) return null;
  const done = state.entry(reversal_key);
  if (done) return { entry: done, replayed: true };
  return state.effects.post(reversalEntry(original, { idempotency_key: reversal_key, occurred_at: event.occurred_at, reason, meta: { event_id: `${event.source}:${event.event_id}`, inbox_id: event.id } }));
}

function linkInvoice(state: HandlerState, sub: HostSubscription, inv: InvoiceReport, event: DispatchEvent): void {
  state.effects.add('links', { object_id: inv.invoice_id, kind: 'invoice', booking_id: null, inbox_id: event.id, data: { ...inv, host_id: sub.host_id, subscription_id: sub.subscription_id } });
}

/** The invoice as issued, posted once (accrual) whichever event reports it first; its deferred lines get their schedules. */
function ensureIssued(state: HandlerState, sub: HostSubscription, inv: InvoiceReport, event: DispatchEvent): void {
  linkInvoice(state, sub, inv, event);
  const key = subscriptionKey(sub.subscription_id, 'invoice', inv.invoice_id);
  if (state.entry(key)) return;
  const policy = state.policy(sub.policy);
  const threshold = expectKind(policy, 'subscription').rules.defer_periods_longer_than.days;
  const { lines, deferred } = invoiceIssuedLines(inv, threshold);
  state.effects.post(subscriptionEntry({
    key, kind: KIND.subscription_invoiced, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
    description: `Subscription invoice ${inv.invoice_id} of host ${sub.host_id}`, lines, ev: ref(event), reported_minor: inv.total_minor,
    meta: { invoice_id: inv.invoice_id, policy: `${policy.kind}/${policy.id}`, policy_version: policy.version },
  }));
  for (const d of deferred) {
    state.effects.add('revenueSchedules', {
      schedule_id: `${sub.subscription_id}|${inv.invoice_id}:${d.line_id}`, invoice_id: inv.invoice_id, host_id: sub.host_id, currency: sub.currency,
      amount_minor: d.amount_minor, period_start: formatIsoUtc(d.period_start_ms), period_end: formatIsoUtc(d.period_end_ms), inbox_id: event.id,
    });
  }
  state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'finalized', amount_remaining_minor: inv.amount_due_minor - inv.amount_paid_minor, at: event.occurred_at, inbox_id: event.id });
}

/** A payment of the invoice, posted once across invoice.paid, invoice_payment.paid and duplicates. */
function postPaid(state: HandlerState, sub: HostSubscription, invoice_id: string, amount_paid_minor: number, out_of_band: boolean, event: DispatchEvent): 'posted' | 'replayed' | 'offset' {
  let result: 'posted' | 'replayed' | 'offset' = 'offset';
  if (!out_of_band) {
    // Paid by card, yet offset: the host paid within the grace but Stripe's report reached us after
    // the tick that offset it (Stripe then refused the out-of-band payment: invoice_already_paid).
    // The card payment is the fact; the offset is undone by a new entry (never an edit), and what a
    // payout already deducted for it is owed back to the host: the offset receivable goes below zero
    // and the host's next payout adds it (clock.ts). Simulation seed 2024.
    reverseOnce(state, subscriptionKey(sub.subscription_id, 'offset', invoice_id), subscriptionKey(sub.subscription_id, 'offset_undone', invoice_id), `invoice ${invoice_id} was paid by card before its offset`, event);
    // An invoice written off and then paid after all: the write-off is undone first.
    reverseOnce(state, subscriptionKey(sub.subscription_id, 'uncollectible', invoice_id), subscriptionKey(sub.subscription_id, 'uncollectible_undone', invoice_id), `invoice ${invoice_id} paid after it was written off`, event);
    const posted = state.effects.post(subscriptionEntry({
      key: subscriptionKey(sub.subscription_id, 'payment', invoice_id), kind: KIND.subscription_payment, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
      description: `Payment of subscription invoice ${invoice_id} by host ${sub.host_id}`, lines: invoicePaidLines(amount_paid_minor), ev: ref(event), reported_minor: amount_paid_minor,
      meta: { invoice_id },
    }));
    result = posted?.replayed ? 'replayed' : 'posted';
  }
  state.effects.add('invoiceEvents', { invoice_id, subscription_id: sub.subscription_id, status: 'paid', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
  return result;
}

export const onInvoice: DecisionHandler = (state, event) => {
  const inv = invoiceOf(objectOf(event));
  const sub = requireSubscription(state, inv);
  const keys = keysOf(sub, inv.invoice_id);
  if (inv.status === 'draft') return { status: 'ignored', code: 'draft', reason: 'posted when finalized', keys };
  if (inv.status === 'void' || event.type === 'invoice.voided') {
    // Posted first if this is the first report of the invoice: a finalization delivered after the
    // void then finds it posted (and reversed) instead of posting an accrual nothing reverses.
    ensureIssued(state, sub, inv, event);
    reverseOnce(state, subscriptionKey(sub.subscription_id, 'invoice', inv.invoice_id), subscriptionKey(sub.subscription_id, 'void', inv.invoice_id), `invoice ${inv.invoice_id} voided`, event);
    state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'void', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
    reviewDunning(state, sub, event);
    return { status: 'processed', code: 'voided', keys };
  }
  ensureIssued(state, sub, inv, event);
  if (event.type === 'invoice.payment_failed') {
    state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'payment_failed', amount_remaining_minor: inv.amount_remaining_minor || inv.amount_due_minor, at: event.occurred_at, inbox_id: event.id });
    reviewDunning(state, sub, event);
    return { status: 'processed', code: 'payment_failed', keys };
  }
  if (inv.status === 'uncollectible' || event.type === 'invoice.marked_uncollectible') {
    state.effects.post(subscriptionEntry({
      key: subscriptionKey(sub.subscription_id, 'uncollectible', inv.invoice_id), kind: KIND.subscription_written_off, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
      description: `Subscription invoice ${inv.invoice_id} of host ${sub.host_id} marked uncollectible`, lines: invoiceUncollectibleLines(inv.amount_remaining_minor), ev: ref(event), meta: { invoice_id: inv.invoice_id },
    }));
    state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'uncollectible', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
    reviewDunning(state, sub, event);
    return { status: 'processed', code: 'written_off', keys };
  }
  if (inv.status === 'paid') {
    const r = postPaid(state, sub, inv.invoice_id, inv.amount_paid_minor, inv.paid_out_of_band, event);
    reviewDunning(state, sub, event);
    return { status: r === 'replayed' ? 'ignored' : 'processed', code: r === 'replayed' ? 'already_posted' : r === 'offset' ? 'paid_by_offset' : undefined, keys };
  }
  return { status: 'processed', code: `invoice_${inv.status}`, keys };
};

/** invoice_payment.paid: the same payment invoice.paid reports (posted once), and the way to its fee. */
export const onInvoicePayment: DecisionHandler = (state, event) => {
  const p = invoicePaymentOf(objectOf(event));
  const seen = state.stripeObject(p.invoice_id);
  if (!seen) throw new ParkEvent('invoice_not_seen', `invoice ${p.invoice_id} has not been reported yet`);
  const inv = seen.data as unknown as InvoiceReport;
  const sub = requireSubscription(state, inv);
  const keys = keysOf(sub, inv.invoice_id);
  if (p.status !== 'paid') return { status: 'ignored', code: `invoice_payment_${p.status}`, keys };
  if (p.currency !== sub.currency) throw new DomainError('currency_mismatch', `invoice payment ${p.invoice_payment_id} is in ${p.currency}, subscription ${sub.subscription_id} in ${sub.currency}`);
  ensureIssued(state, sub, inv, event);
  // A payment with no card behind it (Stripe may record an out-of-band payment as an invoice payment) moves no cash.
  const r = postPaid(state, sub, inv.invoice_id, p.amount_paid_minor, !p.payment_intent && !p.charge, event);
  if (p.payment_intent) {
    state.effects.add('links', { object_id: p.payment_intent, kind: 'invoice_payment_intent', booking_id: null, inbox_id: event.id, data: { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, host_id: sub.host_id, currency: sub.currency } });
    state.effects.add('intents', {
      intent_id: intentIdFor('invoice_fee', p.payment_intent), decision_id: `fee:${p.payment_intent}`, booking_id: null, operation: 'invoice_fee', inbox_id: event.id,
      params: { payment_intent: p.payment_intent },
    });
  }
  reviewDunning(state, sub, event);
  return { status: r === 'replayed' ? 'ignored' : 'processed', code: r === 'replayed' ? 'already_posted' : undefined, keys };
};

/** The PaymentIntent of an invoice payment, fetched with its charge's balance transaction: the Stripe fee. */
export const onInvoicePaymentIntent: DecisionHandler = (state, event) => {
  const link = state.stripeObject(String(event.payload.id));
  if (!link || link.kind !== 'invoice_payment_intent') return { status: 'ignored', code: 'not_an_invoice_payment' };
  const charge = (event.payload.latest_charge ?? {}) as Obj;
  const txn = (charge.balance_transaction ?? {}) as Obj;
  const fee = typeof txn.fee === 'number' ? txn.fee : 0;
  const { subscription_id, host_id, invoice_id } = link.data as { subscription_id: string; host_id: string; invoice_id: string };
  if (typeof txn.id !== 'string' || fee <= 0) return { status: 'ignored', code: 'no_fee', keys: [`sub:${subscription_id}`] };
  const posted = state.effects.post(subscriptionEntry({
    key: subscriptionKey(subscription_id, 'fee', txn.id), kind: KIND.stripe_fee, host_id, subscription_id, currency: String(txn.currency ?? '').toUpperCase(),
    description: `Stripe processing fee (${txn.id}) on subscription invoice ${invoice_id}`, lines: invoiceFeeLines(fee), ev: ref(event),
    reported_minor: fee, meta: { invoice_id, balance_transaction: txn.id },
  }));
  if (posted?.replayed) return { status: 'ignored', code: 'already_posted', keys: [`sub:${subscription_id}`] };
  return { status: 'processed', keys: [`sub:${subscription_id}`] };
};

export const onCreditNote: DecisionHandler = (state, event) => {
  const cn = creditNoteOf(objectOf(event));
  const seen = state.stripeObject(cn.invoice_id);
  if (!seen) throw new ParkEvent('invoice_not_seen', `credit note ${cn.credit_note_id}: invoice ${cn.invoice_id} has not been reported yet`);
  const inv = seen.data as unknown as InvoiceFacts & { subscription_id: string | null; customer: string };
  const sub = requireSubscription(state, { ...inv, currency: cn.currency });
  const keys = keysOf(sub, inv.invoice_id);
  const key = subscriptionKey(sub.subscription_id, 'credit_note', cn.credit_note_id);
  if (event.type === 'credit_note.voided' || cn.status === 'void') {
    const r = reverseOnce(state, key, subscriptionKey(sub.subscription_id, 'credit_note_void', cn.credit_note_id), `credit note ${cn.credit_note_id} voided`, event);
    return { status: r && !r.replayed ? 'processed' : 'ignored', code: r ? (r.replayed ? 'already_posted' : 'voided') : 'never_posted', keys };
  }
  const proration = new Map(inv.lines.map((l) => [l.line_id, l.proration]));
  const lines = creditNoteLines(cn, (id) => (id && proration.get(id) ? 'proration_revenue' : 'subscription_revenue'));
  const posted = state.effects.post(subscriptionEntry({
    key, kind: KIND.subscription_credit_note, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
    description: `Credit note ${cn.credit_note_id} on subscription invoice ${inv.invoice_id} of host ${sub.host_id}`, lines, ev: ref(event), reported_minor: cn.total_minor,
    meta: { invoice_id: inv.invoice_id, credit_note_id: cn.credit_note_id },
  }));
  if (cn.pre_payment_minor > 0 && !posted?.replayed) {
    state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'finalized', amount_remaining_minor: Math.max(0, inv.amount_due_minor - cn.pre_payment_minor), at: event.occurred_at, inbox_id: event.id });
  }
  return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : undefined, keys };
};
