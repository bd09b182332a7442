import type { JournalEntryRequest, JournalLine } from '../ledger/index.js';
import { chart, KIND, type ChartAccount, type EntryKind } from '../vocabulary.js';

/**
 * The journal entries of the booking lifecycle, as data. Each builder takes amounts already
 * decided (by NORA, or by Stripe's own record of what it did) and returns one balanced entry with
 * the accounts it needs; none reads a balance, a database or a clock. The posting path
 * (`postEntryIntents`) only writes them. Idempotency keys name the real-world thing posted (a
 * payment intent, a refund, a transfer), so the several webhooks that report one refund post it once.
 */

export type EventRef = { inbox_id: number; event_id: string; occurred_at: string; decision_id?: string };

/** An entry to post, the accounts to open for it, and (for Stripe-reported objects) what was reported. */
export type EntryIntent = {
  request: JournalEntryRequest;
  accounts: ChartAccount[];
  /**
   * The entry records a Stripe object that several events report (a refund in refund.created,
   * refund.updated and the API's answer). The first report posts it; later reports of the same
   * object and amount are replays, whatever else they carry; another amount is a conflict.
   */
  reported?: { object_id: string; amount_minor: number };
};

function line(a: ChartAccount, direction: 'D' | 'C', amount_minor: number): JournalLine | null {
  return amount_minor > 0 ? { account: a.code, unit: a.unit, direction, amount_minor } : null;
}

type Spec = {
  key: string; kind: EntryKind; booking_id: string | null; ev: EventRef; description: string; lines: Array<JournalLine | null>; accounts: ChartAccount[];
  meta?: Record<string, unknown>; reported?: { object_id: string; amount_minor: number };
};

/** The entry, or null when every line is zero (nothing moved: nothing to post). */
function entry(s: Spec): EntryIntent | null {
  const lines = s.lines.filter((l): l is JournalLine => l !== null);
  if (lines.length === 0) return null;
  const meta = {
    event_id: s.ev.event_id, inbox_id: s.ev.inbox_id, ...(s.ev.decision_id ? { decision_id: s.ev.decision_id } : {}), ...s.meta,
    ...(s.reported ? { reported: s.reported.object_id, reported_amount_minor: s.reported.amount_minor } : {}),
  };
  return {
    request: { idempotency_key: s.key, kind: s.kind, booking_id: s.booking_id, occurred_at: s.ev.occurred_at, description: s.description, meta, lines },
    accounts: s.accounts,
    ...(s.reported ? { reported: s.reported } : {}),
  };
}

type BookingRef = { booking_id: string; currency: string };
type BookingHostRef = BookingRef & { host_id: string };

export type PaymentSplit = { total: number; host_share: number; platform_fees: number; taxes: number; service_fee: number; host_fee: number };

export function paymentEntry(b: BookingRef & { payment_intent_id: string }, split: PaymentSplit, ev: EventRef) {
  const c = b.currency;
  const [bal, host, fees, taxes] = [chart.stripeBalance(c), chart.hostShare(b.booking_id, c), chart.platformFees(b.booking_id, c), chart.bookingTaxes(b.booking_id, c)];
  return entry({
    key: `payment:${b.payment_intent_id}`, kind: KIND.payment_received, booking_id: b.booking_id, ev,
    description: `Guest payment for booking ${b.booking_id} (${b.payment_intent_id})`,
    accounts: [bal, host, fees, taxes],
    meta: { service_fee_minor: split.service_fee, host_fee_minor: split.host_fee },
    lines: [line(bal, 'D', split.total), line(host, 'C', split.host_share), line(fees, 'C', split.platform_fees), line(taxes, 'C', split.taxes)],
  });
}

/** A payment that arrived after its booking was cancelled unpaid: all of it is owed back to the guest. */
export function latePaymentEntry(b: BookingRef & { payment_intent_id: string }, amount_minor: number, ev: EventRef) {
  const [bal, due] = [chart.stripeBalance(b.currency), chart.refundDue(b.booking_id, b.currency)];
  return entry({
    key: `payment:${b.payment_intent_id}`, kind: KIND.payment_received, booking_id: b.booking_id, ev,
    description: `Guest payment for booking ${b.booking_id} (${b.payment_intent_id}) after it was cancelled: owed back in full`,
    accounts: [bal, due], lines: [line(bal, 'D', amount_minor), line(due, 'C', amount_minor)],
  });
}

export function stripeFeeEntry(x: { booking_id: string | null; currency: string; fee_minor: number; balance_transaction: string }, ev: EventRef) {
  const [fees, bal] = [chart.stripeFees(x.currency), chart.stripeBalance(x.currency)];
  return entry({
    key: `stripe_fee:${x.balance_transaction}`, kind: KIND.stripe_fee, booking_id: x.booking_id, ev, reported: { object_id: x.balance_transaction, amount_minor: x.fee_minor },
    description: `Stripe processing fee (${x.balance_transaction})`,
    accounts: [fees, bal], lines: [line(fees, 'D', x.fee_minor), line(bal, 'C', x.fee_minor)],
  });
}

/** The final amounts of a cancellation (nora `settleCancellation`): written as they are. */
export type CancellationLines = {
  refund_due: number; host_share_from_held: number; host_share_from_receivable: number; fees_from_held: number; fees_from_revenue: number;
  taxes_from_held: number; taxes_from_payable: number; fees_kept_recognised: number; taxes_kept_recognised: number; host_penalty: number;
};

function cancellationChart(b: BookingHostRef) {
  const c = b.currency;
  return {
    refundDue: chart.refundDue(b.booking_id, c), host: chart.hostShare(b.booking_id, c), fees: chart.platformFees(b.booking_id, c), taxes: chart.bookingTaxes(b.booking_id, c),
    receivable: chart.hostReceivable(b.host_id, c), revenue: chart.feeRevenue(c), taxesPayable: chart.taxesPayable(c), penalty: chart.penaltyRevenue(c),
    penalties: chart.hostPenalties(b.host_id, c),
  };
}

/** Every account a cancellation may touch: opened when it executes, whatever it moves. */
export function cancellationAccounts(b: BookingHostRef): ChartAccount[] {
  return Object.values(cancellationChart(b));
}

/**
 * A cancellation decision in the ledger: the refunded parts move from the booking's liabilities
 * (or, if already paid out, from the host's receivable and recognised revenue) into the refund owed
 * to the guest; the kept fees and taxes are recognised; a host penalty is charged to the host.
 */
export function cancellationEntries(b: BookingHostRef, a: CancellationLines, ev: EventRef & { decision_id: string }): EntryIntent[] {
  const acc = cancellationChart(b);
  const accounts = Object.values(acc);
  return [
    entry({
      key: `cancellation:${ev.decision_id}`, kind: KIND.cancellation_refund_due, booking_id: b.booking_id, ev, accounts,
      description: `Cancellation of booking ${b.booking_id}: refund owed to the guest`,
      lines: [
        line(acc.host, 'D', a.host_share_from_held), line(acc.receivable, 'D', a.host_share_from_receivable),
        line(acc.fees, 'D', a.fees_from_held), line(acc.revenue, 'D', a.fees_from_revenue),
        line(acc.taxes, 'D', a.taxes_from_held), line(acc.taxesPayable, 'D', a.taxes_from_payable),
        line(acc.refundDue, 'C', a.refund_due),
      ],
    }),
    entry({
      key: `cancellation_kept:${ev.decision_id}`, kind: KIND.fees_recognised, booking_id: b.booking_id, ev, accounts,
      description: `Cancellation of booking ${b.booking_id}: kept fees earned, kept taxes payable`,
      lines: [line(acc.fees, 'D', a.fees_kept_recognised), line(acc.revenue, 'C', a.fees_kept_recognised), line(acc.taxes, 'D', a.taxes_kept_recognised), line(acc.taxesPayable, 'C', a.taxes_kept_recognised)],
    }),
    entry({
      key: `host_penalty:${ev.decision_id}`, kind: KIND.host_penalty, booking_id: b.booking_id, ev, accounts,
      description: `Host cancellation penalty for booking ${b.booking_id}, deducted from future payouts`,
      lines: [line(acc.penalties, 'D', a.host_penalty), line(acc.penalty, 'C', a.host_penalty)],
    }),
  ].filter((e): e is EntryIntent => e !== null);
}

export function refundSettledEntry(b: BookingRef, x: { refund_id: string; amount_minor: number }, ev: EventRef) {
  const [due, bal] = [chart.refundDue(b.booking_id, b.currency), chart.stripeBalance(b.currency)];
  return entry({
    key: `refund:${x.refund_id}`, kind: KIND.refund_paid, booking_id: b.booking_id, ev, reported: { object_id: x.refund_id, amount_minor: x.amount_minor },
    description: `Refund ${x.refund_id} to the guest of booking ${b.booking_id}`,
    accounts: [due, bal], lines: [line(due, 'D', x.amount_minor), line(bal, 'C', x.amount_minor)],
  });
}

/**
 * A transfer to the host left the platform balance: the host's share is settled (net of any
 * deduction for what the host owes), and the booking's held fees and taxes (as the caller read
 * them) are recognised.
 */
export function transferEntry(b: BookingHostRef, x: { transfer_id: string; amount_minor: number; deduction_minor: number; offset_minor?: number; returned_minor?: number; fees_recognised: number; taxes_recognised: number }, ev: EventRef) {
  const c = b.currency;
  // offset_minor: the part of the deduction that settles overdue subscription invoices (#14).
  const offset = Math.min(x.deduction_minor, Math.max(0, x.offset_minor ?? 0));
  // returned_minor: an undone offset owed back to the host, carried by this transfer (offsetReturnedEntry).
  const returned = Math.min(x.amount_minor, Math.max(0, x.returned_minor ?? 0));
  const payable = chart.hostPayable(b.host_id, c);
  const acc = { host: chart.hostShare(b.booking_id, c), bal: chart.stripeBalance(c), receivable: chart.hostPenalties(b.host_id, c), fees: chart.platformFees(b.booking_id, c), revenue: chart.feeRevenue(c), taxes: chart.bookingTaxes(b.booking_id, c), taxesPayable: chart.taxesPayable(c) };
  const offsets = chart.hostOffsetReceivable(b.host_id, c);
  return entry({
    key: `transfer:${x.transfer_id}`, kind: KIND.host_transfer, booking_id: b.booking_id, ev, reported: { object_id: x.transfer_id, amount_minor: x.amount_minor },
    description: `Transfer ${x.transfer_id} to host ${b.host_id} for booking ${b.booking_id}`,
    accounts: [...Object.values(acc), ...(offset > 0 ? [offsets] : []), ...(returned > 0 ? [payable] : [])],
    lines: [
      line(acc.host, 'D', x.amount_minor - returned + x.deduction_minor), line(payable, 'D', returned), line(acc.bal, 'C', x.amount_minor), line(acc.receivable, 'C', x.deduction_minor - offset), line(offsets, 'C', offset),
      line(acc.fees, 'D', x.fees_recognised), line(acc.revenue, 'C', x.fees_recognised), line(acc.taxes, 'D', x.taxes_recognised), line(acc.taxesPayable, 'C', x.taxes_recognised),
    ],
  });
}

/**
 * An offset undone after a payout had deducted it (the invoice was paid by card before the offset,
 * reported after it: pipeline/handlers/invoice.ts) leaves the offset receivable below zero — money
 * owed back to the host. The host's next payout returns it: decided with that payout, moved here to
 * what the platform owes the host, transfer pending, so no second payout returns it again; the
 * transfer's entry then settles it (transferEntry `returned_minor`).
 */
export function offsetReturnedEntry(b: BookingHostRef, x: { decision_id: string; amount_minor: number }, ev: EventRef) {
  const [offsets, payable] = [chart.hostOffsetReceivable(b.host_id, b.currency), chart.hostPayable(b.host_id, b.currency)];
  return entry({
    key: `offset_returned:${x.decision_id}`, kind: KIND.subscription_offset_returned, booking_id: b.booking_id, ev,
    description: `Subscription offset undone after it was deducted: ${x.amount_minor} returned to host ${b.host_id} with the payout of booking ${b.booking_id}`,
    accounts: [offsets, payable], lines: [line(offsets, 'D', x.amount_minor), line(payable, 'C', x.amount_minor)],
  });
}

export function transferReversalEntry(b: BookingHostRef, x: { reversal_id: string; amount_minor: number }, ev: EventRef) {
  const [bal, receivable] = [chart.stripeBalance(b.currency), chart.hostReceivable(b.host_id, b.currency)];
  return entry({
    key: `transfer_reversal:${x.reversal_id}`, kind: KIND.host_recovery, booking_id: b.booking_id, ev, reported: { object_id: x.reversal_id, amount_minor: x.amount_minor },
    description: `Transfer reversal ${x.reversal_id}: recovered from host ${b.host_id} for booking ${b.booking_id}`,
    accounts: [bal, receivable], lines: [line(bal, 'D', x.amount_minor), line(receivable, 'C', x.amount_minor)],
  });
}

/**
 * Money a dispute moved on the platform balance, from Stripe's own balance transaction: a
 * withdrawal (amount and fee) is held against the booking until the dispute closes and its
 * policy says who bears it; a reinstatement gives the amount back.
 */
export function disputeMovementEntry(b: BookingRef, x: { balance_transaction: string; amount_minor: number; fee_minor: number }, ev: EventRef) {
  const c = b.currency;
  const [held, bal] = [chart.disputeHeld(b.booking_id, c), chart.stripeBalance(c)];
  const withdrawn = x.amount_minor < 0;
  const amount = Math.abs(x.amount_minor);
  return entry({
    key: `dispute_txn:${x.balance_transaction}`, kind: withdrawn ? KIND.dispute_withdrawal : KIND.dispute_reinstatement, booking_id: b.booking_id, ev, reported: { object_id: x.balance_transaction, amount_minor: x.amount_minor },
    description: withdrawn ? `Dispute withdrew ${amount} and a fee of ${x.fee_minor} for booking ${b.booking_id}` : `Dispute reinstated ${amount} for booking ${b.booking_id}`,
    accounts: [held, bal],
    lines: withdrawn
      ? [line(held, 'D', amount + x.fee_minor), line(bal, 'C', amount + x.fee_minor)]
      : [line(bal, 'D', amount), line(held, 'C', amount)],
  });
}

/** A closed dispute: who bears what it withdrew and kept (amount if lost, fee), by the dispute policy. */
export function disputeClosedEntry(b: BookingHostRef, x: { dispute_id: string; status: 'lost' | 'won'; host_bears: number; platform_bears: number; withheld_from_payout?: number; reowed?: number }, ev: EventRef & { decision_id: string }) {
  const c = b.currency;
  const [held, receivable, losses] = [chart.disputeHeld(b.booking_id, c), chart.hostReceivable(b.host_id, c), chart.disputeLosses(c)];
  // The host's part comes off the share still held for a payout not yet made (withheld), then what a
  // payout settled instead of transferring is owed again (deducted from later payouts), the rest is owed back by reversal.
  const withheld = Math.min(x.host_bears, Math.max(0, x.withheld_from_payout ?? 0));
  const reowed = Math.min(x.host_bears - withheld, Math.max(0, x.reowed ?? 0));
  const share = chart.hostShare(b.booking_id, c);
  const penalties = chart.hostPenalties(b.host_id, c);
  return entry({
    key: `dispute_closed:${x.dispute_id}`, kind: x.status === 'lost' ? KIND.dispute_lost : KIND.dispute_won, booking_id: b.booking_id, ev, reported: { object_id: x.dispute_id, amount_minor: x.host_bears + x.platform_bears },
    description: `Dispute ${x.dispute_id} ${x.status} on booking ${b.booking_id}: host bears ${x.host_bears}${withheld > 0 ? ` (${withheld} withheld from the payout)` : ''}${reowed > 0 ? ` (${reowed} owed again: a payout had settled what the host owed)` : ''}, platform ${x.platform_bears}`,
    accounts: [held, receivable, losses, ...(withheld > 0 ? [share] : []), ...(reowed > 0 ? [penalties] : [])],
    lines: [
      line(receivable, 'D', x.host_bears - withheld - reowed), ...(withheld > 0 ? [line(share, 'D', withheld)] : []), ...(reowed > 0 ? [line(penalties, 'D', reowed)] : []),
      line(losses, 'D', x.platform_bears), line(held, 'C', x.host_bears + x.platform_bears),
    ],
  });
}

export function creditsEarnedEntry(x: { lot_id: string; guest_id: string; booking_id: string | null; credits: number; reason: string }, ev: EventRef) {
  const [issued, guest] = [chart.creditsIssued(), chart.guestCredits(x.guest_id)];
  return entry({
    key: `credits_earned:${x.lot_id}`, kind: KIND.credits_earned, booking_id: x.booking_id, ev,
    description: `${x.credits} loyalty credits to guest ${x.guest_id}: ${x.reason}`,
    accounts: [issued, guest], lines: [line(issued, 'D', x.credits), line(guest, 'C', x.credits)],
  });
}

export function creditsRedeemedEntry(x: { guest_id: string; booking_id: string; credits: number }, ev: EventRef) {
  const [issued, guest] = [chart.creditsIssued(), chart.guestCredits(x.guest_id)];
  return entry({
    key: `credits_redeemed:${x.booking_id}`, kind: KIND.credits_redeemed, booking_id: x.booking_id, ev,
    description: `${x.credits} loyalty credits of guest ${x.guest_id} redeemed against the service fee of booking ${x.booking_id}`,
    accounts: [issued, guest], lines: [line(guest, 'D', x.credits), line(issued, 'C', x.credits)],
  });
}

export function creditsExpiredEntry(x: { lot_id: string; guest_id: string; credits: number }, ev: EventRef) {
  const [issued, guest] = [chart.creditsIssued(), chart.guestCredits(x.guest_id)];
  return entry({
    key: `credits_expired:${x.lot_id}`, kind: KIND.credits_expired, booking_id: null, ev,
    description: `${x.credits} loyalty credits of guest ${x.guest_id} expired (lot ${x.lot_id})`,
    accounts: [issued, guest], lines: [line(guest, 'D', x.credits), line(issued, 'C', x.credits)],
  });
}

/**
 * A real movement Stripe reported that no decision intended (issue #13): posted so the ledger
 * reflects the bank, to the suspense account, never to a booking's refund, share or payout.
 * `out`: money left the platform balance (a refund, a transfer); `in`: it came back (a reversal).
 */
export function outsidePolicyEntry(x: { object_id: string; object_kind: string; booking_id: string | null; currency: string; amount_minor: number; flow: 'out' | 'in'; reason: string }, ev: EventRef) {
  const [suspense, bal] = [chart.suspense(x.currency), chart.stripeBalance(x.currency)];
  return entry({
    key: `outside_policy:${x.object_id}`, kind: KIND.movement_outside_policy, booking_id: x.booking_id, ev, reported: { object_id: x.object_id, amount_minor: x.amount_minor },
    description: `${x.object_kind} ${x.object_id} outside policy: ${x.reason}`,
    meta: { outside_policy: x.reason, object_kind: x.object_kind },
    accounts: [suspense, bal],
    lines: x.flow === 'out' ? [line(suspense, 'D', x.amount_minor), line(bal, 'C', x.amount_minor)] : [line(bal, 'D', x.amount_minor), line(suspense, 'C', x.amount_minor)],
  });
}

/** A correction: a new entry with every line of `original` on the other side (its accounts exist already). */
export function reversalEntry(original: { seq: number; booking_id: string | null; lines: JournalLine[] }, x: { idempotency_key: string; occurred_at: string; reason: string; meta?: Record<string, unknown> }): EntryIntent {
  return {
    request: {
      idempotency_key: x.idempotency_key, kind: KIND.reversal, booking_id: original.booking_id, occurred_at: x.occurred_at,
      description: `Reverses entry ${original.seq}: ${x.reason}`, reverses_seq: original.seq, meta: x.meta ?? {},
      lines: original.lines.map((l) => ({ ...l, direction: l.direction === 'D' ? 'C' : 'D' })),
    },
    accounts: [],
  };
}
