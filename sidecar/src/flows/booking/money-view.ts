import type { Db } from '../../db/connect.js';
import { readEntries, type JournalEntry } from '../ledger/index.js';
import { toInt } from '../../db/connect.js';
import { assertNever, isBookingAccount, isPlatformAccount, KIND, parseAccount } from '../vocabulary.js';

/** What happened to a booking's money, read off its journal entries (never stored as numbers). */
export type BookingMoney = {
  paid_minor: number;
  refunded_minor: number;
  refund_due_minor: number;
  host_paid_out_minor: number;
  /** Of the host's share paid out, what settled what the host owed (penalties, subscription offsets) instead of a transfer. */
  host_deducted_minor: number;
  host_recovered_minor: number;
  stripe_fee_minor: number;
  /** The platform's cut of the listing price at payment (the fees policy's host fee), as the payment entry recorded it. */
  host_fee_minor: number;
  /** How the guest's payment was split when it was posted: what each booking liability received. */
  payment_split: { host_share: number; platform_fees: number; taxes: number };
  /** Transfers decided (an outbox intent) but not yet confirmed by Stripe: already the host's money. */
  transfer_in_flight_minor: number;
  entries: JournalEntry[];
};

function sumOn(e: JournalEntry, match: (account: string) => boolean, direction: 'D' | 'C'): number {
  return e.lines.filter((l) => match(l.account) && l.direction === direction).reduce((s, l) => s + l.amount_minor, 0);
}

/** The platform's fee on the host side of a payment entry: its platform-fee credit less the guest service fee it recorded. */
export function hostFeeOfPayment(e: JournalEntry, booking_id: string): number {
  const recorded = e.meta.host_fee_minor;
  if (typeof recorded === 'number') return recorded;
  const serviceFee = e.meta.service_fee_minor;
  return typeof serviceFee === 'number' ? sumOn(e, (a) => isBookingAccount(a, booking_id, 'platform_fees'), 'C') - serviceFee : 0;
}

/** Folds a booking's entries (in seq order) into its money. */
export function moneyOf(booking_id: string, entries: JournalEntry[]): Omit<BookingMoney, 'transfer_in_flight_minor'> {
  const m: Omit<BookingMoney, 'transfer_in_flight_minor'> = {
    paid_minor: 0, refunded_minor: 0, refund_due_minor: 0, host_paid_out_minor: 0, host_deducted_minor: 0, host_recovered_minor: 0, stripe_fee_minor: 0, host_fee_minor: 0,
    payment_split: { host_share: 0, platform_fees: 0, taxes: 0 }, entries,
  };
  const balance = (a: string) => isPlatformAccount(a, 'stripe_balance');
  for (const e of entries) {
    switch (e.kind) {
      case KIND.payment_received:
        m.paid_minor += sumOn(e, balance, 'D');
        m.host_fee_minor += hostFeeOfPayment(e, booking_id);
        m.payment_split.host_share += sumOn(e, (a) => isBookingAccount(a, booking_id, 'host_share'), 'C');
        m.payment_split.platform_fees += sumOn(e, (a) => isBookingAccount(a, booking_id, 'platform_fees'), 'C');
        m.payment_split.taxes += sumOn(e, (a) => isBookingAccount(a, booking_id, 'taxes'), 'C');
        break;
      case KIND.refund_paid:
        m.refunded_minor += sumOn(e, balance, 'C');
        break;
      case KIND.balance_payment:
      case KIND.modification_refund_due: {
        // A price change after payment (issue #12): the split moves by the signed differences.
        m.paid_minor += sumOn(e, balance, 'D');
        m.host_fee_minor += typeof e.meta.host_fee_delta_minor === 'number' ? e.meta.host_fee_delta_minor : 0;
        const net = (role: 'host_share' | 'platform_fees' | 'taxes') => sumOn(e, (a) => isBookingAccount(a, booking_id, role), 'C') - sumOn(e, (a) => isBookingAccount(a, booking_id, role), 'D');
        m.payment_split.host_share += net('host_share');
        m.payment_split.platform_fees += net('platform_fees');
        m.payment_split.taxes += net('taxes');
        if (e.kind === KIND.modification_refund_due) m.refund_due_minor += sumOn(e, (a) => isBookingAccount(a, booking_id, 'refund_due'), 'C');
        break;
      }
      case KIND.cancellation_refund_due:
        m.refund_due_minor += sumOn(e, (a) => isBookingAccount(a, booking_id, 'refund_due'), 'C');
        break;
      case KIND.host_transfer:
        // less an undone subscription offset the transfer returned with it: the host's money, not the booking's
        m.host_paid_out_minor += sumOn(e, balance, 'C') - sumOn(e, (a) => parseAccount(a)?.role === 'payable', 'D');
        m.host_deducted_minor += sumOn(e, (a) => { const r = parseAccount(a)?.role; return r === 'penalties_receivable' || r === 'subscription_offset_receivable'; }, 'C');
        break;
      case KIND.host_recovery:
        m.host_recovered_minor += sumOn(e, balance, 'D');
        break;
      case KIND.reversal: {
        // A correction: take back what the reversed entry counted (a refund that later failed).
        const reversed = entries.find((x) => x.seq === e.reverses_seq);
        if (reversed?.kind === KIND.refund_paid) m.refunded_minor -= sumOn(reversed, balance, 'C');
        break;
      }
      case KIND.stripe_fee:
        m.stripe_fee_minor += sumOn(e, (a) => isPlatformAccount(a, 'stripe_fees'), 'D');
        break;
      // Moves within the booking's own accounts or in credits: no cash in or out of the booking.
      case KIND.fx_conversion: // a currency conversion of the platform's balance, not the booking's or host's money
      case KIND.platform_payout: // the platform's own balance paid out to its bank (issue #12)
      case KIND.platform_payout_paid:
      case KIND.platform_payout_failed:
      case KIND.fees_recognised:
      case KIND.host_penalty:
      case KIND.dispute_withdrawal:
      case KIND.dispute_reinstatement:
      case KIND.dispute_won:
      case KIND.dispute_lost:
      case KIND.credits_earned:
      case KIND.credits_redeemed:
      case KIND.credits_expired:
        break;
      // Host subscriptions: never on a booking's entries.
      case KIND.subscription_invoiced:
      case KIND.subscription_payment:
      case KIND.subscription_offset:
      case KIND.subscription_written_off:
      case KIND.subscription_credit_note:
      case KIND.subscription_revenue_recognised:
      // An undone offset returned with this booking's payout: the host's money, carried by its transfer.
      case KIND.subscription_offset_returned:
      // Outside policy: real money that moved, but never a policy outcome — not a refund the guest
      // was owed nor a payout; it is listed at /suspense (issue #13).
      case KIND.movement_outside_policy:
        break;
      default:
        assertNever(e.kind);
    }
  }
  return m;
}

export async function bookingMoney(db: Db, booking_id: string): Promise<BookingMoney> {
  const entries = await readEntries(db, { booking_id });
  const m = moneyOf(booking_id, entries);
  // Decided from the log alone (intents and entries), never from outbox attempts, so replay agrees.
  const intents = await db('outbox_intents').where({ booking_id, operation: 'transfer' }).select('decision_id', 'params');
  return { ...m, transfer_in_flight_minor: transferInFlight(entries, intents as Array<{ decision_id: string; params: string }>) };
}

/** Transfer intents no host_transfer entry confirms yet. */
export function transferInFlight(entries: JournalEntry[], transferIntents: Array<{ decision_id: string; params: string }>): number {
  const confirmed = confirmedTransferDecisions(entries);
  let n = 0;
  for (const i of transferIntents) if (!confirmed.has(i.decision_id)) n += toInt((JSON.parse(i.params) as { amount: number }).amount);
  return n;
}

/**
 * The payout decisions a host_transfer entry confirms as sent. A payout's deduction is posted at its
 * decision (key `transfer:offset:<dec>`, no cash): it confirms nothing, so the transfer stays in flight.
 */
export function confirmedTransferDecisions(entries: JournalEntry[]): Set<unknown> {
  return new Set(entries.filter((e) => e.kind === KIND.host_transfer && !e.idempotency_key.startsWith('transfer:offset:')).map((e) => e.meta.decision_id));
}
