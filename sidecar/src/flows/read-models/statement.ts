import type { Db } from '../../db/connect.js';
import { subscriptionStatement } from './subscription-statement.js';
import { heldPayoutsOf } from './held-payouts.js';
import type { JournalEntry } from '../ledger/index.js';
import { hostFeeOfPayment } from '../booking/money-view.js';
import { statementEntries, type StatementWay } from './statement-entries.js';
import { hostBookingsWithHolds } from './held-candidates.js';
import { assertNever, isBookingAccount, isHostAccount, isPlatformAccount, KIND } from '../vocabulary.js';

export type StatementRow = {
  booking_id: string; currency: string;
  gross_minor: number; host_fee_minor: number; refunds_minor: number; penalties_minor: number;
  transfers_minor: number; deductions_minor: number; reversals_minor: number; net_minor: number;
};
const COLUMNS = ['gross_minor', 'host_fee_minor', 'refunds_minor', 'penalties_minor', 'transfers_minor', 'deductions_minor', 'reversals_minor', 'net_minor'] as const;

function sum(e: JournalEntry, pred: (account: string) => boolean, direction: 'D' | 'C'): number {
  return e.lines.filter((l) => pred(l.account) && l.direction === direction).reduce((s, l) => s + l.amount_minor, 0);
}

/**
 * A host's statement for entries dated in [from, to] (UTC dates, inclusive), built from the same
 * journal lines the ledger holds, so every column ties out to it:
 * - gross: listing price collected for the host (host share + host fee at payment);
 * - host_fee: the platform's cut at payment, less the part given back when a cancellation released it;
 * - refunds: the host's share given back to guests by cancellations; penalties: host cancellation penalties;
 * - transfers: sent to the host; deductions: penalties taken from payouts; reversals: recovered from the host;
 * - net: gross − host_fee − refunds − penalties (what the host earned in the period).
 */
export async function hostStatement(db: Db, host_id: string, from: string, to: string, how?: StatementWay) {
  const rows: StatementRow[] = [];
  // Only the bookings with entries in the period, read through the host index (statement-entries.ts).
  for (const { entries, ...b } of await statementEntries(db, host_id, from, to, how)) {
    const r: StatementRow = { booking_id: b.booking_id, currency: b.currency, gross_minor: 0, host_fee_minor: 0, refunds_minor: 0, penalties_minor: 0, transfers_minor: 0, deductions_minor: 0, reversals_minor: 0, net_minor: 0 };
    const hostShare = (a: string) => isBookingAccount(a, b.booking_id, 'host_share');
    const balance = (a: string) => isPlatformAccount(a, 'stripe_balance');
    for (const e of entries) {
      switch (e.kind) {
        case KIND.payment_received: {
          const hostFee = hostFeeOfPayment(e, b.booking_id);
          r.gross_minor += sum(e, hostShare, 'C') + hostFee;
          r.host_fee_minor += hostFee;
          break;
        }
        case KIND.modification_refund_due:
        case KIND.balance_payment: {
          // A price change after payment (issue #12): the host's gross and fee follow the new price.
          const hostFeeDelta = typeof e.meta.host_fee_delta_minor === 'number' ? e.meta.host_fee_delta_minor : 0;
          r.gross_minor += sum(e, hostShare, 'C') - sum(e, hostShare, 'D') + hostFeeDelta;
          r.host_fee_minor += hostFeeDelta;
          break;
        }
        case KIND.cancellation_refund_due:
          r.refunds_minor += sum(e, (a) => hostShare(a) || isHostAccount(a, host_id, 'receivable'), 'D');
          break;
        case KIND.host_penalty:
          r.penalties_minor += sum(e, (a) => isHostAccount(a, host_id, 'penalties_receivable'), 'D');
          break;
        case KIND.host_transfer:
          r.transfers_minor += sum(e, balance, 'C');
          r.deductions_minor += sum(e, (a) => isHostAccount(a, host_id, 'penalties_receivable') || isHostAccount(a, host_id, 'subscription_offset_receivable'), 'C');
          break;
        case KIND.host_recovery:
          r.reversals_minor += sum(e, balance, 'D');
          break;
        case KIND.subscription_offset_returned:
          // An offset undone after an earlier payout deducted it, returned with this payout: a negative deduction.
          r.deductions_minor -= sum(e, (a) => isHostAccount(a, host_id, 'subscription_offset_receivable'), 'D');
          break;
        // Not part of what the host earned or received in the period.
        case KIND.fx_conversion: // a currency conversion of the platform's balance, not the booking's or host's money
        case KIND.platform_payout: // the platform's own balance paid out to its bank (issue #12)
        case KIND.platform_payout_paid:
        case KIND.platform_payout_failed:
        case KIND.stripe_fee:
        case KIND.fees_recognised:
        case KIND.refund_paid:
        case KIND.dispute_withdrawal:
        case KIND.dispute_reinstatement:
        case KIND.dispute_won:
        case KIND.dispute_lost:
        case KIND.credits_earned:
        case KIND.credits_redeemed:
        case KIND.credits_expired:
        case KIND.reversal:
        // host subscriptions: in the statement's `subscription` part, never on a booking
        case KIND.subscription_invoiced:
        case KIND.subscription_payment:
        case KIND.subscription_offset:
        case KIND.subscription_written_off:
        case KIND.subscription_credit_note:
        case KIND.subscription_revenue_recognised:
        case KIND.movement_outside_policy: // not the host's money by any policy: listed at /suspense
          break;
        default:
          assertNever(e.kind);
      }
    }
    r.net_minor = r.gross_minor - r.host_fee_minor - r.refunds_minor - r.penalties_minor;
    rows.push(r);
  }
  const totals = new Map<string, Record<string, number | string>>();
  for (const r of rows) {
    let t = totals.get(r.currency);
    if (!t) totals.set(r.currency, (t = { currency: r.currency, ...Object.fromEntries(COLUMNS.map((c) => [c, 0])) }));
    for (const c of COLUMNS) t[c] = (t[c] as number) + r[c];
  }
  // Payouts waiting on a hold, with why (issue #13: a new payout account is held by policy).
  const held = await hostBookingsWithHolds(db, host_id);
  const payout_holds = held.map((h) => ({ booking_id: h.booking_id, code: h.hold.code, reason: h.hold.reason }));
  return { host_id, from, to, bookings: rows, totals: [...totals.values()], payout_holds, held_payouts: await heldPayoutsOf(db, host_id, held), subscription: await subscriptionStatement(db, host_id, from, to) };
}

/**
 * One CSV cell (RFC 4180): text with a quote, comma, CR or LF is quoted with quotes doubled, and text
 * a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe.
 * Numbers are written as they are.
 */
export function csvCell(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function statementCsv(s: Omit<Awaited<ReturnType<typeof hostStatement>>, 'subscription'>): string {
  const esc = csvCell;
  const header = ['booking_id', 'currency', ...COLUMNS].map(esc).join(',');
  const body = s.bookings.map((r) => [r.booking_id, r.currency, ...COLUMNS.map((c) => r[c])].map(esc).join(','));
  const totals = s.totals.map((t) => ['TOTAL', t.currency as string, ...COLUMNS.map((c) => t[c] as number)].map(esc).join(','));
  return [header, ...body, ...totals].join('\n') + '\n';
}
