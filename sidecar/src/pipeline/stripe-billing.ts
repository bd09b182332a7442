import { DomainError, formatIsoUtc } from '../kernel/index.js';
import type { CreditNoteFacts, InvoiceFacts } from '../nora/index.js';

/**
 * Stripe Billing objects translated into our own types at the edge: handlers never read raw
 * Billing JSON. Both shapes Stripe has used are read (the 2025+ `parent`/`pricing`/`taxes` and the
 * older `subscription`/`price`/`tax_amounts`), so an account on either API version is understood.
 */
type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : Array.isArray(obj(v).data) ? (obj(v).data as Obj[]) : []);
const idOf = (v: unknown): string | undefined => str(v) ?? str(obj(v).id);

export type SubscriptionReport = {
  subscription_id: string;
  customer: string;
  status: string;
  currency: string;
  price: string;
  item_id: string;
  quantity: number;
  period_start: string;
  period_end: string;
  metadata: Record<string, string>;
};

export function subscriptionOf(o: Obj): SubscriptionReport {
  const item = list(o.items)[0] ?? {};
  const id = str(o.id);
  const customer = idOf(o.customer);
  if (!id || !customer) throw new DomainError('validation_failed', 'a subscription needs an id and a customer');
  const start = num(item.current_period_start ?? o.current_period_start);
  const end = num(item.current_period_end ?? o.current_period_end);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(o.metadata))) if (typeof v === 'string') metadata[k] = v;
  return {
    subscription_id: id, customer, status: String(o.status ?? ''), currency: String(o.currency ?? '').toUpperCase(),
    price: idOf(item.price) ?? idOf(item.plan) ?? '', item_id: str(item.id) ?? '', quantity: Math.max(1, num(item.quantity) || 1),
    period_start: formatIsoUtc(start * 1000), period_end: formatIsoUtc(end * 1000), metadata,
  };
}

export type InvoiceReport = InvoiceFacts & { status: string; amount_remaining_minor: number; paid_out_of_band: boolean; subscription_metadata: Record<string, string> };

function taxesOf(l: Obj): { all: number; inclusive: number } {
  let all = 0;
  let inclusive = 0;
  for (const t of list(l.taxes)) {
    all += num(t.amount);
    if (t.tax_behavior === 'inclusive') inclusive += num(t.amount);
  }
  for (const t of list(l.tax_amounts)) {
    all += num(t.amount);
    if (t.inclusive === true) inclusive += num(t.amount);
  }
  return { all, inclusive };
}

export function invoiceOf(o: Obj): InvoiceReport {
  const id = str(o.id);
  const customer = idOf(o.customer);
  if (!id || !customer) throw new DomainError('validation_failed', 'an invoice needs an id and a customer');
  const details = obj(obj(o.parent).subscription_details);
  const lines = list(o.lines).map((l) => {
    const item = obj(obj(l.parent).subscription_item_details);
    const invItem = obj(obj(l.parent).invoice_item_details);
    const taxes = taxesOf(l);
    return {
      line_id: String(l.id),
      amount_minor: num(l.amount),
      discount_minor: list(l.discount_amounts).reduce((a, d) => a + num(d.amount), 0),
      inclusive_tax_minor: taxes.inclusive,
      proration: item.proration === true || invItem.proration === true || l.proration === true,
      price: idOf(obj(obj(l.pricing).price_details).price) ?? idOf(l.price) ?? null,
      period_start_ms: num(obj(l.period).start) * 1000,
      period_end_ms: num(obj(l.period).end) * 1000,
    };
  });
  const lineTax = list(o.lines).reduce((a, l) => a + taxesOf(l).all, 0);
  const totalTaxes = list(o.total_taxes).reduce((a, t) => a + num(t.amount), 0) + list(o.total_tax_amounts).reduce((a, t) => a + num(t.amount), 0);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(details.metadata))) if (typeof v === 'string') metadata[k] = v;
  return {
    invoice_id: id,
    subscription_id: idOf(details.subscription) ?? idOf(o.subscription) ?? null,
    customer,
    currency: String(o.currency ?? '').toUpperCase(),
    total_minor: num(o.total),
    amount_due_minor: num(o.amount_due),
    amount_paid_minor: num(o.amount_paid),
    amount_remaining_minor: num(o.amount_remaining),
    tax_minor: totalTaxes || lineTax || num(o.tax),
    lines,
    status: String(o.status ?? ''),
    paid_out_of_band: o.paid_out_of_band === true,
    subscription_metadata: metadata,
  };
}

export type InvoicePaymentReport = { invoice_payment_id: string; invoice_id: string; amount_paid_minor: number; currency: string; status: string; payment_intent: string | null; charge: string | null; paid_at: string | null };

export function invoicePaymentOf(o: Obj): InvoicePaymentReport {
  const invoice_id = idOf(o.invoice);
  if (!invoice_id) throw new DomainError('validation_failed', 'an invoice payment names its invoice');
  const p = obj(o.payment);
  const paid = num(obj(o.status_transitions).paid_at);
  return {
    invoice_payment_id: String(o.id), invoice_id, amount_paid_minor: num(o.amount_paid), currency: String(o.currency ?? '').toUpperCase(), status: String(o.status ?? ''),
    payment_intent: idOf(p.payment_intent) ?? null, charge: idOf(p.charge) ?? null, paid_at: paid ? formatIsoUtc(paid * 1000) : null,
  };
}

export function creditNoteOf(o: Obj): CreditNoteFacts & { status: string } {
  const id = str(o.id);
  const invoice_id = idOf(o.invoice);
  if (!id || !invoice_id) throw new DomainError('validation_failed', 'a credit note needs an id and an invoice');
  const refunds = list(o.refunds).reduce((a, r) => a + num(r.amount_refunded), 0) || num(o.refund_amount);
  const oob = num(o.out_of_band_amount);
  const post = num(o.post_payment_amount);
  return {
    credit_note_id: id, invoice_id, currency: String(o.currency ?? '').toUpperCase(), status: String(o.status ?? ''),
    total_minor: num(o.total),
    tax_minor: list(o.total_taxes).reduce((a, t) => a + num(t.amount), 0) + list(o.tax_amounts).reduce((a, t) => a + num(t.amount), 0),
    lines: list(o.lines).map((l) => ({ invoice_line_id: idOf(l.invoice_line_item) ?? null, amount_minor: num(l.amount), discount_minor: list(l.discount_amounts).reduce((a, d) => a + num(d.amount), 0) })),
    pre_payment_minor: num(o.pre_payment_amount),
    refund_minor: refunds,
    credit_minor: Math.max(0, post - refunds - oob),
    out_of_band_minor: oob,
  };
}
