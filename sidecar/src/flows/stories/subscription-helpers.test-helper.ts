import { fixture, freshEventId, type StripeEventJson } from '../../http/stripe-fixtures.test-helper.js';

/**
 * Subscription events from the real shapes in fixtures/stripe (customer.subscription.*, invoice.paid,
 * invoice.payment_failed), re-keyed per test. `invoice_payment.paid` has no fixture in the source
 * file: it is built in the shape of stripe-node 23's `InvoicePayment` inside the fixture's envelope.
 */
export function subscriptionEvent(type: 'created' | 'updated' | 'deleted', p: { sub: string; customer: string; host_id?: string; status?: string; created: number; price?: string; period?: [number, number] }): StripeEventJson {
  const e = fixture(`customer.subscription.${type}`);
  e.id = freshEventId();
  e.created = p.created;
  const o = e.data.object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  o.id = p.sub;
  o.customer = p.customer;
  o.metadata = p.host_id ? { host_id: p.host_id } : {};
  if (p.status) o.status = p.status;
  const item = o.items.data[0];
  item.subscription = p.sub;
  if (p.price) item.price.id = p.price;
  if (p.period) [item.current_period_start, item.current_period_end] = p.period;
  return e;
}

export type LineSpec = { id: string; amount: number; tax?: number; discount?: number; proration?: boolean; price?: string; period: [number, number] };

export function invoiceEvent(type: 'paid' | 'payment_failed' | 'finalized' | 'voided' | 'marked_uncollectible', p: { invoice: string; sub: string; customer: string; created: number; lines: LineSpec[]; status?: string; event_id?: string }): StripeEventJson {
  const e = fixture(type === 'payment_failed' ? 'invoice.payment_failed' : 'invoice.paid');
  e.type = `invoice.${type}`;
  e.id = p.event_id ?? freshEventId();
  e.created = p.created;
  const o = e.data.object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const template = o.lines.data[0];
  o.id = p.invoice;
  o.customer = p.customer;
  o.parent.subscription_details = { subscription: p.sub, metadata: {} };
  o.lines.data = p.lines.map((l) => ({
    ...structuredClone(template), id: l.id, invoice: p.invoice, amount: l.amount, subtotal: l.amount, period: { start: l.period[0], end: l.period[1] },
    discount_amounts: l.discount ? [{ amount: l.discount, discount: 'di_test' }] : [],
    taxes: l.tax ? [{ amount: l.tax, tax_behavior: 'exclusive', taxability_reason: 'standard_rated', taxable_amount: l.amount, type: 'tax_rate_details', tax_rate_details: { tax_rate: 'txr_test' } }] : [],
    parent: { ...structuredClone(template.parent), subscription_item_details: { ...structuredClone(template.parent.subscription_item_details), proration: !!l.proration, subscription: p.sub } },
    pricing: { ...structuredClone(template.pricing), price_details: { price: l.price ?? 'price_1PgafmB7WZ01zgkW6dKueIc5', product: 'prod_QXg1hqf4jFNsqG' } },
  }));
  const subtotal = p.lines.reduce((a, l) => a + l.amount, 0);
  const discount = p.lines.reduce((a, l) => a + (l.discount ?? 0), 0);
  const tax = p.lines.reduce((a, l) => a + (l.tax ?? 0), 0);
  const total = subtotal - discount + tax;
  const paid = type === 'paid';
  Object.assign(o, {
    subtotal, subtotal_excluding_tax: subtotal, total, total_excluding_tax: total - tax,
    total_taxes: tax ? [{ amount: tax, tax_behavior: 'exclusive', taxability_reason: 'standard_rated', taxable_amount: subtotal - discount, type: 'tax_rate_details' }] : [],
    total_discount_amounts: discount ? [{ amount: discount, discount: 'di_test' }] : [],
    amount_due: total, amount_paid: paid ? total : 0, amount_remaining: paid ? 0 : total,
    status: p.status ?? (paid ? 'paid' : type === 'voided' ? 'void' : type === 'marked_uncollectible' ? 'uncollectible' : 'open'),
  });
  return e;
}

export function invoicePaymentPaid(p: { invoice: string; amount: number; payment_intent: string; created: number }): StripeEventJson {
  const e = fixture('invoice.paid');
  e.type = 'invoice_payment.paid';
  e.id = freshEventId();
  e.created = p.created;
  e.data.object = {
    id: `inpay_${p.invoice.slice(3)}`, object: 'invoice_payment', amount_paid: p.amount, amount_requested: p.amount, created: p.created, currency: 'usd', invoice: p.invoice,
    is_default: true, livemode: false, payment: { type: 'payment_intent', payment_intent: p.payment_intent }, status: 'paid', status_transitions: { canceled_at: null, paid_at: p.created },
  };
  return e;
}

export function creditNoteCreated(p: { id: string; invoice: string; line: string; amount: number; tax: number; refund: number; created: number; voided?: boolean }): StripeEventJson {
  const e = fixture('invoice.paid');
  e.type = p.voided ? 'credit_note.voided' : 'credit_note.created';
  e.id = freshEventId();
  e.created = p.created;
  const total = p.amount + p.tax;
  e.data.object = {
    id: p.id, object: 'credit_note', invoice: p.invoice, customer: 'cus_x', currency: 'usd', status: p.voided ? 'void' : 'issued', type: 'post_payment', created: p.created,
    subtotal: p.amount, total, total_taxes: p.tax ? [{ amount: p.tax, tax_behavior: 'exclusive', taxability_reason: 'standard_rated', taxable_amount: p.amount, type: 'tax_rate_details' }] : [],
    lines: { object: 'list', has_more: false, data: [{ id: `cnli_${p.id}`, object: 'credit_note_line_item', type: 'invoice_line_item', invoice_line_item: p.line, amount: p.amount, discount_amounts: [], taxes: [] }] },
    pre_payment_amount: 0, post_payment_amount: total, refunds: p.refund ? [{ refund: `re_${p.id}`, amount_refunded: p.refund }] : [], out_of_band_amount: null, metadata: {},
  };
  return e;
}
