/**
 * Stripe Billing in the fake (issue #14): prices, subscriptions, invoices with proration lines,
 * invoice payments, credit notes and `pay … paid_out_of_band`, in the 2025+ shapes (invoice
 * `parent.subscription_details`, line `parent.subscription_item_details.proration`, `pricing`,
 * `invoice_payment`). Proration follows `proration_behavior` and `proration_date` the way Stripe
 * documents it: unused time of the old price credited, remaining time of the new one charged,
 * each rounded to the minor unit; a change of interval restarts the cycle. Computed here on its
 * own, not with the sidecar's code, so a test compares two independent computations.
 */
import { FakeStripeError, invalidRequest, noSuchObject } from './errors.js';
import type { FormObject } from './form.js';
import type { FakeClock, IdSequence } from './ids.js';
import type { EmitFn, FakeStripeModel, RequestContext } from './model.js';
import { buildBalanceTransaction, buildCharge, buildPaymentIntent, processingFee, snapshot, type Metadata } from './objects.js';
import { boolParam, metadataParam, optAmount, optString, reqString } from './params.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the fake's own Billing objects
export type FakePrice = { id: string; currency: string; unit_amount: number; interval: 'day' | 'week' | 'month' | 'year'; interval_count: number; product: string };

/** The prices of the demo account (the ones policies/subscription/standard lists). */
export const DEFAULT_PRICES: FakePrice[] = [
  { id: 'price_1PgafmB7WZ01zgkW6dKueIc5', currency: 'usd', unit_amount: 2000, interval: 'month', interval_count: 1, product: 'prod_QXg1hqf4jFNsqG' },
  { id: 'price_HostPlusMonthly', currency: 'usd', unit_amount: 5000, interval: 'month', interval_count: 1, product: 'prod_HostPlus' },
  { id: 'price_HostProAnnual', currency: 'usd', unit_amount: 20000, interval: 'year', interval_count: 1, product: 'prod_QXg1hqf4jFNsqG' },
  { id: 'price_HostProMonthlyEur', currency: 'eur', unit_amount: 1900, interval: 'month', interval_count: 1, product: 'prod_QXg1hqf4jFNsqG' },
];

const CTX: RequestContext = { request_id: null, idempotency_key: null, account: null };
const DAY_S = 86_400;

/** round(a × n / d), half away from zero, exactly. */
function prorated(a: number, n: number, d: number): number {
  const r = Number((2n * BigInt(Math.abs(a)) * BigInt(n) + BigInt(d)) / (2n * BigInt(d)));
  return a < 0 ? -r : r;
}

function addInterval(from_s: number, p: FakePrice): number {
  const d = new Date(from_s * 1000);
  const n = p.interval_count;
  if (p.interval === 'day') return from_s + n * DAY_S;
  if (p.interval === 'week') return from_s + 7 * n * DAY_S;
  const y = d.getUTCFullYear() + (p.interval === 'year' ? n : 0);
  const m = d.getUTCMonth() + (p.interval === 'month' ? n : 0);
  return Math.floor(Date.UTC(y, m, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000);
}

export class FakeBilling {
  readonly prices = new Map<string, FakePrice>(DEFAULT_PRICES.map((p) => [p.id, p]));
  readonly subscriptions = new Map<string, Obj>();
  readonly invoices = new Map<string, Obj>();
  readonly invoicePayments = new Map<string, Obj>();
  readonly creditNotes = new Map<string, Obj>();
  /** Proration lines waiting for the next invoice (proration_behavior=create_prorations). */
  private readonly pending = new Map<string, Obj[]>();
  private readonly taxBps = new Map<string, number>();
  private failures = 0;

  constructor(private readonly ids: IdSequence, private readonly clock: FakeClock, private readonly emit: EmitFn, private readonly model: FakeStripeModel) {}

  /** The next invoice payment attempts fail (card declined), as many as `n`. */
  failNextInvoicePayments(n = 1): void {
    this.failures += n;
  }

  lookup(id: string): unknown {
    return this.subscriptions.get(id) ?? this.invoices.get(id) ?? this.creditNotes.get(id) ?? this.invoicePayments.get(id);
  }

  price(id: string): FakePrice {
    const p = this.prices.get(id);
    if (!p) throw new FakeStripeError(400, 'invalid_request_error', `No such price: '${id}'`, 'resource_missing', 'price');
    return p;
  }

  subscription(id: string): Obj {
    const s = this.subscriptions.get(id);
    if (!s) throw noSuchObject('subscription', id);
    return s;
  }

  invoice(id: string): Obj {
    const i = this.invoices.get(id);
    if (!i) throw noSuchObject('invoice', id);
    return i;
  }

  /** A subscription as a host signs up: its first invoice is issued and paid (or fails) at once; a trial invoices nothing. */
  createSubscription(p: { customer: string; price: string; metadata?: Metadata; tax_bps?: number; trial_days?: number }, ctx: RequestContext = CTX): Obj {
    const price = this.price(p.price);
    const now = this.clock.tick();
    const id = this.ids.next('sub');
    const trialEnd = p.trial_days ? now + p.trial_days * DAY_S : null;
    const end = trialEnd ?? addInterval(now, price);
    const sub: Obj = {
      id, object: 'subscription', customer: p.customer, currency: price.currency, status: trialEnd ? 'trialing' : 'active', metadata: { ...(p.metadata ?? {}) },
      created: now, start_date: now, billing_cycle_anchor: now, cancel_at_period_end: false, cancel_at: null, canceled_at: null, ended_at: null,
      trial_start: trialEnd ? now : null, trial_end: trialEnd, pause_collection: null, collection_method: 'charge_automatically', latest_invoice: null,
      items: { object: 'list', data: [{ id: this.ids.next('si'), object: 'subscription_item', price: this.priceObject(price), quantity: 1, subscription: id, current_period_start: now, current_period_end: end, created: now, metadata: {} }], has_more: false },
    };
    this.subscriptions.set(id, sub);
    this.taxBps.set(id, p.tax_bps ?? 0);
    this.emit('customer.subscription.created', sub, ctx);
    if (!trialEnd) this.invoiceAndCharge(sub, [this.planLine(sub, price, now, end)], 'subscription_create', ctx);
    return snapshot(sub);
  }

  /** The next period: a renewal invoice (with pending prorations), charged; a declined card leaves it open and the subscription past_due. */
  renew(subscription_id: string): Obj {
    const sub = this.subscription(subscription_id);
    const item = sub.items.data[0];
    const price = this.price(item.price.id);
    const start = item.current_period_end;
    const end = addInterval(start, price);
    const before = { status: sub.status, items: snapshot(sub.items) };
    item.current_period_start = start;
    item.current_period_end = end;
    if (sub.status === 'trialing') sub.status = 'active';
    if (sub.cancel_at_period_end) {
      sub.status = 'canceled';
      sub.canceled_at = start;
      sub.ended_at = start;
      this.emit('customer.subscription.deleted', sub, CTX, before);
      return snapshot(sub);
    }
    this.emit('customer.subscription.updated', sub, CTX, before);
    const lines = [...(this.pending.get(subscription_id) ?? []), this.planLine(sub, price, start, end)];
    this.pending.delete(subscription_id);
    return this.invoiceAndCharge(sub, lines, 'subscription_cycle', CTX);
  }

  /** Retries the payment of an open invoice (Smart Retries, or the host updating their card). */
  retry(invoice_id: string): Obj {
    const inv = this.invoice(invoice_id);
    if (inv.status !== 'open') throw invalidRequest(`Invoice is already ${inv.status}.`, 'invoice_not_open');
    this.charge(inv, CTX);
    return snapshot(inv);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  retrieveSubscription(id: string): Obj {
    return snapshot(this.subscription(id));
  }

  retrieveInvoice(id: string): Obj {
    return snapshot(this.invoice(id));
  }

  createSubscriptionHttp(params: FormObject, ctx: RequestContext): Obj {
    const items = params.items as FormObject[] | undefined;
    const price = items?.[0] ? reqString(items[0] as FormObject, 'price') : reqString(params, 'price');
    return this.createSubscription({ customer: reqString(params, 'customer'), price, metadata: metadataParam(params) }, ctx);
  }

  /** POST /v1/subscriptions/:id — a plan change (items, proration_behavior, proration_date) or cancel_at_period_end. */
  updateSubscription(id: string, params: FormObject, ctx: RequestContext): Obj {
    const sub = this.subscription(id);
    if (sub.status === 'canceled') throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.', 'resource_missing');
    const before: Obj = { status: sub.status, items: snapshot(sub.items), cancel_at_period_end: sub.cancel_at_period_end, metadata: { ...sub.metadata } };
    if (params.metadata !== undefined) Object.assign(sub.metadata, metadataParam(params));
    if (params.cancel_at_period_end !== undefined) {
      sub.cancel_at_period_end = boolParam(params, 'cancel_at_period_end');
      sub.cancel_at = sub.cancel_at_period_end ? sub.items.data[0].current_period_end : null;
    }
    const items = params.items as FormObject[] | undefined;
    if (items?.[0] && optString(items[0] as FormObject, 'price')) {
      const to = this.price(reqString(items[0] as FormObject, 'price'));
      const behavior = optString(params, 'proration_behavior') ?? 'create_prorations';
      if (!['create_prorations', 'always_invoice', 'none'].includes(behavior)) throw invalidRequest('Invalid proration_behavior.', 'parameter_invalid_string', 'proration_behavior');
      const now = this.clock.tick();
      const pd = optAmount(params, 'proration_date') ?? now;
      this.changePrice(sub, to, behavior, pd, ctx);
    }
    this.emit('customer.subscription.updated', sub, ctx, before);
    return snapshot(sub);
  }

  /** POST /v1/invoices/:id/pay — with paid_out_of_band: marked paid, no money moves. */
  payInvoice(id: string, params: FormObject, ctx: RequestContext): Obj {
    const inv = this.invoice(id);
    if (inv.status === 'paid') throw invalidRequest('Invoice is already paid', 'invoice_already_paid'); // Stripe's own answer to a second pay
    if (inv.status !== 'open') throw invalidRequest(`Invoice is ${inv.status}.`, 'invoice_not_open');
    if (boolParam(params, 'paid_out_of_band')) {
      inv.status = 'paid';
      inv.paid_out_of_band = true;
      inv.amount_paid = inv.amount_due;
      inv.amount_remaining = 0;
      inv.status_transitions.paid_at = this.clock.tick();
      this.emit('invoice.paid', inv, ctx);
      this.settleSubscription(inv, ctx);
      return snapshot(inv);
    }
    this.charge(inv, ctx);
    if (inv.status !== 'paid') throw new FakeStripeError(402, 'card_error', 'Your card was declined.', 'card_declined');
    return snapshot(inv);
  }

  /** POST /v1/credit_notes — invoice, lines[] {invoice_line_item, amount} or amount; refund_amount, credit_amount, out_of_band_amount. */
  createCreditNote(params: FormObject, ctx: RequestContext): Obj {
    const inv = this.invoice(reqString(params, 'invoice'));
    const lines = ((params.lines as FormObject[] | undefined) ?? []).map((l) => {
      const line = inv.lines.data.find((x: Obj) => x.id === reqString(l, 'invoice_line_item'));
      if (!line) throw invalidRequest('No such invoice line item.', 'resource_missing', 'lines');
      return { id: this.ids.next('cnli'), object: 'credit_note_line_item', type: 'invoice_line_item', invoice_line_item: line.id, amount: optAmount(l, 'amount') ?? line.amount, discount_amounts: [], taxes: [], description: line.description };
    });
    const subtotal = lines.reduce((a: number, l: Obj) => a + l.amount, 0);
    const tax = lines.reduce((a: number, l: Obj) => a + this.taxOf(inv, l.amount), 0);
    const total = subtotal + tax;
    const paid = inv.status === 'paid';
    const refund = optAmount(params, 'refund_amount') ?? 0;
    const oob = optAmount(params, 'out_of_band_amount') ?? 0;
    const credit = optAmount(params, 'credit_amount') ?? (paid ? total - refund - oob : 0);
    const pre = paid ? 0 : Math.min(total, inv.amount_remaining);
    if (total <= 0 || pre + refund + oob + credit !== total) throw invalidRequest('The sum of pre_payment, refund, credit and out_of_band amounts must equal the credit note total.', 'parameter_invalid_integer');
    const refunds = refund > 0 ? [{ refund: this.ids.next('re'), amount_refunded: refund }] : [];
    const cn: Obj = {
      id: this.ids.next('cn'), object: 'credit_note', invoice: inv.id, customer: inv.customer, currency: inv.currency, status: 'issued', type: paid ? 'post_payment' : 'pre_payment',
      created: this.clock.tick(), subtotal, total, total_taxes: tax ? [{ amount: tax, tax_behavior: 'exclusive', taxability_reason: 'standard_rated', taxable_amount: subtotal, type: 'tax_rate_details' }] : [],
      lines: { object: 'list', data: lines, has_more: false }, pre_payment_amount: pre, post_payment_amount: total - pre, refunds, out_of_band_amount: oob || null, metadata: metadataParam(params),
    };
    if (pre > 0) {
      inv.amount_remaining -= pre;
      inv.pre_payment_credit_notes_amount = (inv.pre_payment_credit_notes_amount ?? 0) + pre;
    }
    this.creditNotes.set(cn.id, cn);
    this.emit('credit_note.created', cn, ctx);
    return snapshot(cn);
  }

  voidCreditNote(id: string, ctx: RequestContext): Obj {
    const cn = this.creditNotes.get(id);
    if (!cn) throw noSuchObject('credit_note', id);
    cn.status = 'void';
    this.emit('credit_note.voided', cn, ctx);
    return snapshot(cn);
  }

  // ---- inside ------------------------------------------------------------------------------------

  private priceObject(p: FakePrice): Obj {
    return { id: p.id, object: 'price', active: true, currency: p.currency, unit_amount: p.unit_amount, unit_amount_decimal: String(p.unit_amount), product: p.product, type: 'recurring', recurring: { interval: p.interval, interval_count: p.interval_count, usage_type: 'licensed' }, metadata: {} };
  }

  private line(sub: Obj, price: FakePrice, amount: number, start: number, end: number, proration: boolean, description: string): Obj {
    return {
      id: this.ids.next('il'), object: 'line_item', amount, currency: price.currency, description, discount_amounts: [], discountable: !proration, discounts: [],
      metadata: {}, period: { start, end }, quantity: 1, subtotal: amount, taxes: [],
      parent: { type: 'subscription_item_details', invoice_item_details: null, subscription_item_details: { invoice_item: null, proration, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: sub.items.data[0].id } },
      pricing: { type: 'price_details', price_details: { price: price.id, product: price.product }, unit_amount_decimal: String(price.unit_amount) },
    };
  }

  private planLine(sub: Obj, price: FakePrice, start: number, end: number): Obj {
    return this.line(sub, price, price.unit_amount, start, end, false, `1 × ${price.id} (at ${price.unit_amount} / ${price.interval})`);
  }

  private taxOf(inv: Obj, amount: number): number {
    const bps = this.taxBps.get(inv.parent?.subscription_details?.subscription ?? '') ?? 0;
    return amount > 0 ? prorated(amount, bps, 10_000) : 0;
  }

  private changePrice(sub: Obj, to: FakePrice, behavior: string, pd: number, ctx: RequestContext): void {
    const item = sub.items.data[0];
    const from = this.price(item.price.id);
    const start = item.current_period_start;
    const end = item.current_period_end;
    const restarts = from.interval !== to.interval || from.interval_count !== to.interval_count;
    item.price = this.priceObject(to);
    const lines: Obj[] = [];
    if (behavior !== 'none' && sub.status !== 'trialing' && pd < end) {
      const credit = -prorated(from.unit_amount, end - pd, end - start);
      lines.push(this.line(sub, from, credit, pd, end, true, `Unused time on ${from.id}`));
      if (!restarts) lines.push(this.line(sub, to, prorated(to.unit_amount, end - pd, end - start), pd, end, true, `Remaining time on ${to.id}`));
    }
    if (restarts) {
      item.current_period_start = pd;
      item.current_period_end = addInterval(pd, to);
      sub.billing_cycle_anchor = pd;
      lines.push(this.planLine(sub, to, pd, item.current_period_end));
    }
    if (lines.length === 0) return;
    if (behavior === 'always_invoice' || restarts) this.invoiceAndCharge(sub, lines, 'subscription_update', ctx);
    else this.pending.set(sub.id, [...(this.pending.get(sub.id) ?? []), ...lines]);
  }

  private invoiceAndCharge(sub: Obj, lines: Obj[], reason: string, ctx: RequestContext): Obj {
    const now = this.clock.tick();
    const id = this.ids.next('in');
    for (const l of lines) l.invoice = id;
    const inv: Obj = {
      id, object: 'invoice', customer: sub.customer, currency: sub.currency, status: 'draft', billing_reason: reason, collection_method: 'charge_automatically',
      created: now, period_start: now, period_end: now, attempt_count: 0, attempted: false, metadata: {}, discounts: [], total_discount_amounts: [],
      lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } } },
      status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null }, starting_balance: 0, ending_balance: null,
      pre_payment_credit_notes_amount: 0, post_payment_credit_notes_amount: 0,
    };
    let tax = 0;
    for (const l of lines) {
      const t = this.taxOf(inv, l.amount);
      if (t > 0) l.taxes = [{ amount: t, tax_behavior: 'exclusive', taxability_reason: 'standard_rated', taxable_amount: l.amount, type: 'tax_rate_details' }];
      tax += t;
    }
    const subtotal = lines.reduce((a, l) => a + l.amount, 0);
    Object.assign(inv, {
      subtotal, subtotal_excluding_tax: subtotal, total: subtotal + tax, total_excluding_tax: subtotal,
      total_taxes: tax ? [{ amount: tax, tax_behavior: 'exclusive', taxability_reason: 'standard_rated', taxable_amount: subtotal, type: 'tax_rate_details' }] : [],
      amount_due: Math.max(0, subtotal + tax), amount_paid: 0, amount_remaining: Math.max(0, subtotal + tax),
    });
    this.invoices.set(id, inv);
    sub.latest_invoice = id;
    this.emit('invoice.created', inv, ctx);
    inv.status = 'open';
    inv.status_transitions.finalized_at = now;
    this.emit('invoice.finalized', inv, ctx);
    if (inv.amount_due === 0) {
      inv.status = 'paid';
      inv.status_transitions.paid_at = now;
      this.emit('invoice.paid', inv, ctx);
      return snapshot(inv);
    }
    this.charge(inv, ctx);
    return snapshot(inv);
  }

  /** One payment attempt: a PaymentIntent, its charge and balance transaction (fee), or a decline. */
  private charge(inv: Obj, ctx: RequestContext): void {
    const now = this.clock.tick();
    inv.attempt_count += 1;
    inv.attempted = true;
    const sub = this.subscriptions.get(inv.parent?.subscription_details?.subscription ?? '');
    if (this.failures > 0) {
      this.failures -= 1;
      inv.next_payment_attempt = now + 3 * DAY_S;
      this.emit('invoice.payment_failed', inv, ctx);
      if (sub && sub.status !== 'past_due') {
        const before = { status: sub.status };
        sub.status = 'past_due';
        this.emit('customer.subscription.updated', sub, ctx, before);
      }
      return;
    }
    const pi = buildPaymentIntent({ id: this.ids.next('pi'), amount: inv.amount_remaining, currency: inv.currency, created: now, metadata: {}, description: `Invoice ${inv.id}`, transfer_group: null, payment_method: 'pm_card_visa', application_fee_amount: null, transfer_destination: null, on_behalf_of: null });
    const chargeId = this.ids.next('ch');
    const txnId = this.ids.next('txn');
    this.model.state.balanceTransactions.set(txnId, buildBalanceTransaction({ id: txnId, amount: pi.amount, fee: processingFee(pi.amount, pi.currency), currency: pi.currency, created: now, source: chargeId, type: 'charge', reporting_category: 'charge', description: pi.description, status: 'pending' }));
    const charge = buildCharge({ id: chargeId, pi, created: now, payment_method: 'pm_card_visa', balance_transaction: txnId, declined: null });
    this.model.state.charges.set(charge.id, charge);
    Object.assign(pi, { latest_charge: charge.id, status: 'succeeded', amount_received: pi.amount });
    this.model.state.paymentIntents.set(pi.id, pi);
    const paid = inv.amount_remaining;
    inv.status = 'paid';
    inv.amount_paid += paid;
    inv.amount_remaining = 0;
    inv.status_transitions.paid_at = now;
    inv.next_payment_attempt = null;
    const payment: Obj = {
      id: this.ids.next('inpay'), object: 'invoice_payment', amount_paid: paid, amount_requested: paid, created: now, currency: inv.currency, invoice: inv.id, is_default: true, livemode: false,
      payment: { type: 'payment_intent', payment_intent: pi.id }, status: 'paid', status_transitions: { canceled_at: null, paid_at: now },
    };
    this.invoicePayments.set(payment.id, payment);
    this.emit('invoice.paid', inv, ctx);
    this.emit('invoice_payment.paid', payment, ctx);
    this.settleSubscription(inv, ctx);
  }

  private settleSubscription(inv: Obj, ctx: RequestContext): void {
    const sub = this.subscriptions.get(inv.parent?.subscription_details?.subscription ?? '');
    if (!sub || (sub.status !== 'past_due' && sub.status !== 'unpaid')) return;
    const open = [...this.invoices.values()].some((i) => i.status === 'open' && i.parent?.subscription_details?.subscription === sub.id);
    if (open) return;
    const before = { status: sub.status };
    sub.status = 'active';
    this.emit('customer.subscription.updated', sub, ctx, before);
  }
}
