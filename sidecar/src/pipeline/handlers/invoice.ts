import { DomainError } from '../../kernel/index.js';
import { linkStripeObject, stripeObject } from '../../flows/booking/store.js';
import { KIND } from '../../flows/vocabulary.js';
import { readEntry } from '../../flows/ledger/index.js';
import { addSchedule, appendInvoiceEvent, type HostSubscription } from '../../flows/subscriptions/store.js';
import { postRoleLines, reverseOnce, subscriptionKey } from '../../flows/subscriptions/postings.js';
import { addIntent, intentIdFor } from '../../flows/outbox/intents.js';
import { creditNoteLines, expectKind, invoiceFeeLines, invoiceIssuedLines, invoicePaidLines, invoiceUncollectibleLines, type InvoiceFacts } from '../../nora/index.js';
import { formatIsoUtc } from '../../kernel/index.js';
import { pinnedPolicy } from '../booking-facts.js';
import { ParkEvent, ref, type HandlerContext, type HandlerResult, type Trx } from '../context.js';
import { creditNoteOf, invoiceOf, invoicePaymentOf, type InvoiceReport } from '../stripe-billing.js';
import { subscriptionOfInvoice } from '../subscription-facts.js';
import { reviewDunning } from '../subscription-dunning.js';

type Obj = Record<string, unknown>;
const objectOf = (payload: Obj, source: string): Obj => (source === 'stripe_api' ? payload : (payload.data as { object: Obj }).object);

async function requireSubscription(db: Trx, inv: { invoice_id: string; subscription_id: string | null; customer: string; currency: string }): Promise<HostSubscription> {
  const sub = await subscriptionOfInvoice(db, inv);
  if (!sub) throw new ParkEvent('subscription_not_linked', `invoice ${inv.invoice_id}: subscription ${inv.subscription_id ?? '(none)'} / customer ${inv.customer} is not linked to a host yet`);
  if (inv.currency !== sub.currency) throw new DomainError('currency_mismatch', `invoice ${inv.invoice_id} is in ${inv.currency}, subscription ${sub.subscription_id} in ${sub.currency}`);
  return sub;
}

const keysOf = (sub: HostSubscription, invoice_id: string) => [`sub:${sub.subscription_id}`, `cus:${sub.customer}`, `in:${invoice_id}`];

/** The invoice as issued, posted once (accrual) whichever event reports it first; its deferred lines get their schedules. */
async function ensureIssued(db: Trx, sub: HostSubscription, inv: InvoiceReport, event: HandlerContext['event']): Promise<void> {
  await linkStripeObject(db, { object_id: inv.invoice_id, kind: 'invoice', booking_id: null, inbox_id: event.id, data: { ...inv, host_id: sub.host_id, subscription_id: sub.subscription_id } });
  const key = subscriptionKey(sub.subscription_id, 'invoice', inv.invoice_id);
  if (await readEntry(db, { idempotency_key: key })) return;
  const policy = await pinnedPolicy(db, sub.policy);
  const threshold = expectKind(policy, 'subscription').rules.defer_periods_longer_than.days;
  const { lines, deferred } = invoiceIssuedLines(inv, threshold);
  await postRoleLines(db, {
    key, kind: KIND.subscription_invoiced, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
    description: `Subscription invoice ${inv.invoice_id} of host ${sub.host_id}`, lines, ev: ref(event), reported_minor: inv.total_minor,
    meta: { invoice_id: inv.invoice_id, policy: `${policy.kind}/${policy.id}`, policy_version: policy.version },
  });
  for (const d of deferred) {
    await addSchedule(db, {
      schedule_id: `${sub.subscription_id}|${inv.invoice_id}:${d.line_id}`, invoice_id: inv.invoice_id, host_id: sub.host_id, currency: sub.currency,
      amount_minor: d.amount_minor, period_start: formatIsoUtc(d.period_start_ms), period_end: formatIsoUtc(d.period_end_ms), inbox_id: event.id,
    });
  }
  await appendInvoiceEvent(db, { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'finalized', amount_remaining_minor: inv.amount_due_minor - inv.amount_paid_minor, at: event.occurred_at, inbox_id: event.id });
}

/** A payment of the invoice, posted once across invoice.paid, invoice_payment.paid and duplicates. */
async function postPaid(db: Trx, sub: HostSubscription, invoice_id: string, amount_paid_minor: number, out_of_band: boolean, event: HandlerContext['event']): Promise<'posted' | 'replayed' | 'offset'> {
  const offset = await readEntry(db, { idempotency_key: subscriptionKey(sub.subscription_id, 'offset', invoice_id) });
  let result: 'posted' | 'replayed' | 'offset' = 'offset';
  if (!offset && !out_of_band) {
    // An invoice written off and then paid after all: the write-off is undone first.
    await reverseOnce(db, subscriptionKey(sub.subscription_id, 'uncollectible', invoice_id), subscriptionKey(sub.subscription_id, 'uncollectible_undone', invoice_id), `invoice ${invoice_id} paid after it was written off`, ref(event));
    const posted = await postRoleLines(db, {
      key: subscriptionKey(sub.subscription_id, 'payment', invoice_id), kind: KIND.subscription_payment, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
      description: `Payment of subscription invoice ${invoice_id} by host ${sub.host_id}`, lines: invoicePaidLines(amount_paid_minor), ev: ref(event), reported_minor: amount_paid_minor,
      meta: { invoice_id },
    });
    result = posted?.replayed ? 'replayed' : 'posted';
  }
  await appendInvoiceEvent(db, { invoice_id, subscription_id: sub.subscription_id, status: 'paid', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
  return result;
}

export async function onInvoice({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const inv = invoiceOf(objectOf(payload, event.source));
  const sub = await requireSubscription(db, inv);
  const keys = keysOf(sub, inv.invoice_id);
  if (inv.status === 'draft') return { status: 'ignored', code: 'draft', reason: 'posted when finalized', keys };
  if (inv.status === 'void' || event.type === 'invoice.voided') {
    await linkStripeObject(db, { object_id: inv.invoice_id, kind: 'invoice', booking_id: null, inbox_id: event.id, data: { ...inv, host_id: sub.host_id, subscription_id: sub.subscription_id } });
    await reverseOnce(db, subscriptionKey(sub.subscription_id, 'invoice', inv.invoice_id), subscriptionKey(sub.subscription_id, 'void', inv.invoice_id), `invoice ${inv.invoice_id} voided`, ref(event));
    await appendInvoiceEvent(db, { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'void', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
    await reviewDunning(db, sub, event);
    return { status: 'processed', code: 'voided', keys };
  }
  await ensureIssued(db, sub, inv, event);
  if (event.type === 'invoice.payment_failed') {
    await appendInvoiceEvent(db, { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'payment_failed', amount_remaining_minor: inv.amount_remaining_minor || inv.amount_due_minor, at: event.occurred_at, inbox_id: event.id });
    await reviewDunning(db, sub, event);
    return { status: 'processed', code: 'payment_failed', keys };
  }
  if (inv.status === 'uncollectible' || event.type === 'invoice.marked_uncollectible') {
    await postRoleLines(db, {
      key: subscriptionKey(sub.subscription_id, 'uncollectible', inv.invoice_id), kind: KIND.subscription_written_off, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
      description: `Subscription invoice ${inv.invoice_id} of host ${sub.host_id} marked uncollectible`, lines: invoiceUncollectibleLines(inv.amount_remaining_minor), ev: ref(event), meta: { invoice_id: inv.invoice_id },
    });
    await appendInvoiceEvent(db, { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'uncollectible', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
    return { status: 'processed', code: 'written_off', keys };
  }
  if (inv.status === 'paid') {
    const r = await postPaid(db, sub, inv.invoice_id, inv.amount_paid_minor, inv.paid_out_of_band, event);
    await reviewDunning(db, sub, event);
    return { status: r === 'replayed' ? 'ignored' : 'processed', code: r === 'replayed' ? 'already_posted' : r === 'offset' ? 'paid_by_offset' : undefined, keys };
  }
  return { status: 'processed', code: `invoice_${inv.status}`, keys };
}

/** invoice_payment.paid: the same payment invoice.paid reports (posted once), and the way to its fee. */
export async function onInvoicePayment({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const p = invoicePaymentOf(objectOf(payload, event.source));
  const seen = await stripeObject(db, p.invoice_id);
  if (!seen) throw new ParkEvent('invoice_not_seen', `invoice ${p.invoice_id} has not been reported yet`);
  const inv = seen.data as unknown as InvoiceReport;
  const sub = await requireSubscription(db, inv);
  const keys = keysOf(sub, inv.invoice_id);
  if (p.status !== 'paid') return { status: 'ignored', code: `invoice_payment_${p.status}`, keys };
  if (p.currency !== sub.currency) throw new DomainError('currency_mismatch', `invoice payment ${p.invoice_payment_id} is in ${p.currency}, subscription ${sub.subscription_id} in ${sub.currency}`);
  await ensureIssued(db, sub, inv, event);
  const r = await postPaid(db, sub, inv.invoice_id, p.amount_paid_minor, false, event);
  if (p.payment_intent) {
    await linkStripeObject(db, { object_id: p.payment_intent, kind: 'invoice_payment_intent', booking_id: null, inbox_id: event.id, data: { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, host_id: sub.host_id } });
    await addIntent(db, {
      intent_id: intentIdFor('invoice_fee', p.payment_intent), decision_id: `fee:${p.payment_intent}`, booking_id: null, operation: 'invoice_fee', inbox_id: event.id,
      params: { payment_intent: p.payment_intent },
    });
  }
  await reviewDunning(db, sub, event);
  return { status: r === 'replayed' ? 'ignored' : 'processed', code: r === 'replayed' ? 'already_posted' : undefined, keys };
}

/** The PaymentIntent of an invoice payment, fetched with its charge's balance transaction: the Stripe fee. */
export async function onInvoicePaymentIntent({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const link = await stripeObject(db, String(payload.id));
  if (!link || link.kind !== 'invoice_payment_intent') return { status: 'ignored', code: 'not_an_invoice_payment' };
  const charge = (payload.latest_charge ?? {}) as Obj;
  const txn = (charge.balance_transaction ?? {}) as Obj;
  const fee = typeof txn.fee === 'number' ? txn.fee : 0;
  const { subscription_id, host_id, invoice_id } = link.data as { subscription_id: string; host_id: string; invoice_id: string };
  if (typeof txn.id !== 'string' || fee <= 0) return { status: 'ignored', code: 'no_fee', keys: [`sub:${subscription_id}`] };
  const currency = String(txn.currency ?? '').toUpperCase();
  const posted = await postRoleLines(db, {
    key: subscriptionKey(subscription_id, 'fee', txn.id), kind: KIND.stripe_fee, host_id, subscription_id, currency,
    description: `Stripe processing fee (${txn.id}) on subscription invoice ${invoice_id}`, lines: invoiceFeeLines(fee), ev: ref(event),
    reported_minor: fee, meta: { invoice_id, balance_transaction: txn.id },
  });
  if (posted?.replayed) return { status: 'ignored', code: 'already_posted', keys: [`sub:${subscription_id}`] };
  return { status: 'processed', keys: [`sub:${subscription_id}`] };
}

export async function onCreditNote({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const cn = creditNoteOf(objectOf(payload, event.source));
  const seen = await stripeObject(db, cn.invoice_id);
  if (!seen) throw new ParkEvent('invoice_not_seen', `credit note ${cn.credit_note_id}: invoice ${cn.invoice_id} has not been reported yet`);
  const inv = seen.data as unknown as InvoiceFacts & { subscription_id: string | null; customer: string };
  const sub = await requireSubscription(db, { ...inv, currency: cn.currency });
  const keys = keysOf(sub, inv.invoice_id);
  const key = subscriptionKey(sub.subscription_id, 'credit_note', cn.credit_note_id);
  if (event.type === 'credit_note.voided' || cn.status === 'void') {
    const r = await reverseOnce(db, key, subscriptionKey(sub.subscription_id, 'credit_note_void', cn.credit_note_id), `credit note ${cn.credit_note_id} voided`, ref(event));
    return { status: r && !r.replayed ? 'processed' : 'ignored', code: r ? (r.replayed ? 'already_posted' : 'voided') : 'never_posted', keys };
  }
  const proration = new Map(inv.lines.map((l) => [l.line_id, l.proration]));
  const lines = creditNoteLines(cn, (id) => (id && proration.get(id) ? 'proration_revenue' : 'subscription_revenue'));
  const posted = await postRoleLines(db, {
    key, kind: KIND.subscription_credit_note, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
    description: `Credit note ${cn.credit_note_id} on subscription invoice ${inv.invoice_id} of host ${sub.host_id}`, lines, ev: ref(event), reported_minor: cn.total_minor,
    meta: { invoice_id: inv.invoice_id, credit_note_id: cn.credit_note_id },
  });
  if (cn.pre_payment_minor > 0 && !posted?.replayed) {
    await appendInvoiceEvent(db, { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'finalized', amount_remaining_minor: Math.max(0, inv.amount_due_minor - cn.pre_payment_minor), at: event.occurred_at, inbox_id: event.id });
  }
  return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : undefined, keys };
}
