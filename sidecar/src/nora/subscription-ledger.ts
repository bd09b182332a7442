import { DomainError, MAX_AMOUNT_MINOR } from '../kernel/index.js';
import { isDeferredPeriod } from './revenue-schedule.js';

/**
 * Host subscription invoices and credit notes as ledger lines. NORA names each line's account by
 * its role; FLOWS maps roles to account codes (the chart). Pure: the same invoice gives the same lines.
 */
export type SubscriptionAccountRole =
  | 'stripe_balance'        // the platform's Stripe balance
  | 'stripe_fees'           // Stripe's processing fee on a payment
  | 'host_receivable'       // invoiced to the host, not yet collected
  | 'host_offset_receivable'// owed by the host, to be deducted from the next payout
  | 'host_billing_credit'   // the host's customer credit balance at Stripe (owed to the host)
  | 'host_payable'          // owed to the host outside Stripe (a credit note paid out of band)
  | 'subscription_revenue'
  | 'proration_revenue'     // proration lines, their own account so every proration stays visible
  | 'deferred_revenue'      // collected for periods longer than the policy's threshold, not yet earned
  | 'contra_revenue'        // discounts
  | 'tax_payable'
  | 'bad_debt';

export type RoleLine = { role: SubscriptionAccountRole; direction: 'D' | 'C'; amount_minor: number; note: string };

/** One invoice line, in our own terms (translated from Stripe's at the edge). */
export type InvoiceLineFacts = {
  line_id: string;
  /** Signed: a proration credit for unused time is negative. Excludes exclusive tax. */
  amount_minor: number;
  discount_minor: number;
  /** Tax included in `amount_minor` (inclusive tax behaviour); exclusive tax is only in `tax_minor`. */
  inclusive_tax_minor: number;
  proration: boolean;
  price: string | null;
  period_start_ms: number;
  period_end_ms: number;
};

export type InvoiceFacts = {
  invoice_id: string;
  subscription_id: string | null;
  customer: string;
  currency: string;
  total_minor: number;
  amount_due_minor: number;
  amount_paid_minor: number;
  /** All tax on the invoice, inclusive and exclusive. */
  tax_minor: number;
  lines: InvoiceLineFacts[];
};

export type DeferredLine = { line_id: string; amount_minor: number; period_start_ms: number; period_end_ms: number };

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function checkInt(v: number, what: string, min = -MAX_AMOUNT_MINOR): void {
  if (!Number.isSafeInteger(v) || v < min || v > MAX_AMOUNT_MINOR) throw new DomainError('amount_out_of_range', `${what} must be an integer amount in range, got ${v}`, { field: what });
}

/** The invoice's own figures must add up; an invoice that does not is refused, never guessed. */
export function checkInvoice(inv: InvoiceFacts): void {
  if (!/^[A-Z]{3}$/.test(inv.currency)) throw new DomainError('validation_failed', `invoice ${inv.invoice_id} has no valid currency`);
  checkInt(inv.total_minor, 'total');
  checkInt(inv.amount_due_minor, 'amount_due', 0);
  checkInt(inv.amount_paid_minor, 'amount_paid', 0);
  checkInt(inv.tax_minor, 'tax', 0);
  for (const l of inv.lines) {
    checkInt(l.amount_minor, `lines.${l.line_id}.amount`);
    checkInt(l.discount_minor, `lines.${l.line_id}.discount`, 0);
    checkInt(l.inclusive_tax_minor, `lines.${l.line_id}.inclusive_tax`, 0);
  }
  const exclusive = inv.tax_minor - sum(inv.lines.map((l) => l.inclusive_tax_minor));
  const expected = sum(inv.lines.map((l) => l.amount_minor)) - sum(inv.lines.map((l) => l.discount_minor)) + exclusive;
  if (exclusive < 0 || expected !== inv.total_minor) {
    throw new DomainError('validation_failed', `invoice ${inv.invoice_id}: lines − discounts + tax = ${expected}, but the total is ${inv.total_minor}`, { invoice_id: inv.invoice_id });
  }
  if (inv.total_minor > 0 && inv.amount_due_minor > inv.total_minor) {
    throw new DomainError('validation_failed', `invoice ${inv.invoice_id}: amount due ${inv.amount_due_minor} exceeds the total ${inv.total_minor}`);
  }
}

/**
 * The invoice as issued (accrual, posted once at finalization or at the first report of it): the
 * host owes the amount due; each line is revenue, proration or deferred revenue (its own line);
 * discounts are contra-revenue; tax is payable; the customer's credit balance covers the rest.
 */
export function invoiceIssuedLines(inv: InvoiceFacts, defer_threshold_days: number): { lines: RoleLine[]; deferred: DeferredLine[] } {
  checkInvoice(inv);
  const lines: RoleLine[] = [];
  const deferred: DeferredLine[] = [];
  const push = (role: SubscriptionAccountRole, direction: 'D' | 'C', amount_minor: number, note: string) => {
    if (amount_minor > 0) lines.push({ role, direction, amount_minor, note });
    if (amount_minor < 0) lines.push({ role, direction: direction === 'D' ? 'C' : 'D', amount_minor: -amount_minor, note });
  };
  push('host_receivable', 'D', inv.amount_due_minor, 'amount due');
  push('host_billing_credit', 'D', inv.total_minor - inv.amount_due_minor, 'customer credit balance applied');
  for (const l of inv.lines) {
    const net_of_tax = l.amount_minor - l.inclusive_tax_minor;
    const long = l.amount_minor > 0 && !l.proration && isDeferredPeriod(l.period_start_ms, l.period_end_ms, defer_threshold_days);
    if (long) {
      // Deferred net of its discount: the schedule recognises what the host actually pays for the period.
      const amount = net_of_tax - l.discount_minor;
      push('deferred_revenue', 'C', amount, `line ${l.line_id} deferred`);
      if (amount > 0) deferred.push({ line_id: l.line_id, amount_minor: amount, period_start_ms: l.period_start_ms, period_end_ms: l.period_end_ms });
      continue;
    }
    push(l.proration ? 'proration_revenue' : 'subscription_revenue', 'C', net_of_tax, `line ${l.line_id}${l.proration ? ' (proration)' : ''}`);
    push('contra_revenue', 'D', l.discount_minor, `line ${l.line_id} discount`);
  }
  push('tax_payable', 'C', inv.tax_minor, 'tax');
  return { lines, deferred };
}

/** A payment collected by Stripe: into the balance, off the host's receivable. */
export function invoicePaidLines(amount_paid_minor: number): RoleLine[] {
  checkInt(amount_paid_minor, 'amount_paid', 0);
  if (amount_paid_minor === 0) return [];
  return [
    { role: 'stripe_balance', direction: 'D', amount_minor: amount_paid_minor, note: 'payment received' },
    { role: 'host_receivable', direction: 'C', amount_minor: amount_paid_minor, note: 'invoice settled' },
  ];
}

/** The overdue amount moved to what the next payout deducts (offset by policy). */
export function invoiceOffsetLines(amount_minor: number): RoleLine[] {
  checkInt(amount_minor, 'amount', 1);
  return [
    { role: 'host_offset_receivable', direction: 'D', amount_minor, note: 'to be deducted from the next payout' },
    { role: 'host_receivable', direction: 'C', amount_minor, note: 'invoice settled out of band by offset' },
  ];
}

/** An invoice Stripe gave up on: what is still owed is written off. */
export function invoiceUncollectibleLines(amount_remaining_minor: number): RoleLine[] {
  checkInt(amount_remaining_minor, 'amount_remaining', 0);
  if (amount_remaining_minor === 0) return [];
  return [
    { role: 'bad_debt', direction: 'D', amount_minor: amount_remaining_minor, note: 'written off' },
    { role: 'host_receivable', direction: 'C', amount_minor: amount_remaining_minor, note: 'uncollectible' },
  ];
}

export type CreditNoteFacts = {
  credit_note_id: string;
  invoice_id: string;
  currency: string;
  total_minor: number;
  tax_minor: number;
  lines: Array<{ invoice_line_id: string | null; amount_minor: number; discount_minor: number }>;
  pre_payment_minor: number;
  refund_minor: number;
  credit_minor: number;
  out_of_band_minor: number;
};

/**
 * A credit note reverses what it covers: the lines' revenue (on the account the invoice line used;
 * a deferred line is reversed from revenue, see docs/deviations.md), their discounts and the tax;
 * what it gives back goes where the credit note says (less owed, refunded, customer credit, paid outside).
 */
export function creditNoteLines(cn: CreditNoteFacts, roleOfLine: (invoice_line_id: string | null) => 'subscription_revenue' | 'proration_revenue'): RoleLine[] {
  for (const [k, v] of Object.entries({ total: cn.total_minor, tax: cn.tax_minor, pre_payment: cn.pre_payment_minor, refund: cn.refund_minor, credit: cn.credit_minor, out_of_band: cn.out_of_band_minor })) checkInt(v, k, 0);
  const covered = sum(cn.lines.map((l) => l.amount_minor - l.discount_minor)) + cn.tax_minor;
  const given = cn.pre_payment_minor + cn.refund_minor + cn.credit_minor + cn.out_of_band_minor;
  if (covered !== cn.total_minor || given !== cn.total_minor) {
    throw new DomainError('validation_failed', `credit note ${cn.credit_note_id}: lines + tax = ${covered}, settled ${given}, total ${cn.total_minor}`);
  }
  const out: RoleLine[] = [];
  const push = (role: SubscriptionAccountRole, direction: 'D' | 'C', amount_minor: number, note: string) => {
    if (amount_minor > 0) out.push({ role, direction, amount_minor, note });
  };
  for (const l of cn.lines) {
    checkInt(l.amount_minor, 'line amount', 0);
    push(roleOfLine(l.invoice_line_id), 'D', l.amount_minor, `credits line ${l.invoice_line_id ?? '(custom)'}`);
    push('contra_revenue', 'C', l.discount_minor, 'discount reversed');
  }
  push('tax_payable', 'D', cn.tax_minor, 'tax reversed');
  push('host_receivable', 'C', cn.pre_payment_minor, 'less owed on the invoice');
  push('stripe_balance', 'C', cn.refund_minor, 'refunded to the host');
  push('host_billing_credit', 'C', cn.credit_minor, 'credited to the host\'s balance');
  push('host_payable', 'C', cn.out_of_band_minor, 'owed to the host outside Stripe');
  return out;
}

/** Stripe's fee on an invoice payment, from its balance transaction. */
export function invoiceFeeLines(fee_minor: number): RoleLine[] {
  checkInt(fee_minor, 'fee', 0);
  if (fee_minor === 0) return [];
  return [
    { role: 'stripe_fees', direction: 'D', amount_minor: fee_minor, note: 'Stripe processing fee' },
    { role: 'stripe_balance', direction: 'C', amount_minor: fee_minor, note: 'taken from the balance' },
  ];
}

/** Debits equal credits: every plan NORA returns balances (tested by property). */
export function roleLinesBalance(lines: RoleLine[]): boolean {
  const d = sum(lines.filter((l) => l.direction === 'D').map((l) => l.amount_minor));
  const c = sum(lines.filter((l) => l.direction === 'C').map((l) => l.amount_minor));
  return d === c;
}
