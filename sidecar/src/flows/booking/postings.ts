import type { Db } from '../../db/connect.js';
import { DomainError } from '../../kernel/index.js';
import { lineTotals, naturalBalance, postEntry, readEntry, type JournalLine, type PostResult } from '../ledger/index.js';
import { chart, ensureAccounts, type ChartAccount } from './chart.js';

/**
 * The ledger postings of the booking lifecycle. Each takes amounts already decided (by NORA or by
 * Stripe's own record) and turns them into one balanced entry; none decides anything itself.
 * Idempotency keys name the real-world thing posted (a payment intent, a refund, a transfer), so
 * the several webhooks that report one refund post it once.
 */

export type EventRef = { inbox_id: number; event_id: string; occurred_at: string; decision_id?: string };

export function line(a: ChartAccount, direction: 'D' | 'C', amount_minor: number): JournalLine | null {
  return amount_minor > 0 ? { account: a.code, unit: a.unit, direction, amount_minor } : null;
}

export type PostInput = {
  key: string; kind: string; booking_id: string | null; ev: EventRef; description: string; lines: Array<JournalLine | null>; accounts: ChartAccount[];
  meta?: Record<string, unknown>;
  /**
   * The entry records a Stripe object that several events report (a refund in refund.created,
   * refund.updated and the API's answer). The first report posts it; later reports of the same
   * object and amount are replays, whatever else they carry; another amount is a conflict.
   */
  reported?: { object_id: string; amount_minor: number };
};

export async function post(db: Db, input: PostInput): Promise<PostResult | null> {
  if (input.reported) {
    const existing = await readEntry(db, { idempotency_key: input.key });
    if (existing) {
      if (existing.meta.reported_amount_minor !== input.reported.amount_minor) {
        throw new DomainError('idempotency_conflict', `${input.reported.object_id} was posted for ${String(existing.meta.reported_amount_minor)}, now reported as ${input.reported.amount_minor}`, { idempotency_key: input.key });
      }
      return { entry: existing, replayed: true };
    }
    input = { ...input, meta: { ...input.meta, reported: input.reported.object_id, reported_amount_minor: input.reported.amount_minor } };
  }
  const lines = input.lines.filter((l): l is JournalLine => l !== null);
  if (lines.length === 0) return null;
  await ensureAccounts(db, input.accounts, input.ev.occurred_at);
  return postEntry(db, {
    idempotency_key: input.key,
    kind: input.kind,
    booking_id: input.booking_id,
    occurred_at: input.ev.occurred_at,
    description: input.description,
    meta: { event_id: input.ev.event_id, inbox_id: input.ev.inbox_id, ...(input.ev.decision_id ? { decision_id: input.ev.decision_id } : {}), ...input.meta },
    lines,
  });
}

/** An account's balance on its normal side (assets: debits − credits; liabilities: credits − debits), 0 if never opened. */
export async function heldIn(db: Db, a: ChartAccount): Promise<number> {
  // The chart already says the account's type: one aggregate, no account lookup.
  const { debits, credits } = await lineTotals(db, a.code);
  return Number(naturalBalance(a.type, debits, credits));
}

export type PaymentSplit = { total: number; host_share: number; platform_fees: number; taxes: number; service_fee: number; host_fee: number };

export function postPayment(db: Db, b: { booking_id: string; currency: string; payment_intent_id: string }, split: PaymentSplit, ev: EventRef) {
  const c = b.currency;
  const [bal, host, fees, taxes] = [chart.stripeBalance(c), chart.hostShare(b.booking_id, c), chart.platformFees(b.booking_id, c), chart.bookingTaxes(b.booking_id, c)];
  return post(db, {
    key: `payment:${b.payment_intent_id}`, kind: 'payment_received', booking_id: b.booking_id, ev,
    description: `Guest payment for booking ${b.booking_id} (${b.payment_intent_id})`,
    accounts: [bal, host, fees, taxes],
    meta: { service_fee_minor: split.service_fee, host_fee_minor: split.host_fee },
    lines: [line(bal, 'D', split.total), line(host, 'C', split.host_share), line(fees, 'C', split.platform_fees), line(taxes, 'C', split.taxes)],
  });
}

/** A payment that arrived after its booking was cancelled unpaid: all of it is owed back to the guest. */
export function postLatePayment(db: Db, b: { booking_id: string; currency: string; payment_intent_id: string }, amount_minor: number, ev: EventRef) {
  const [bal, due] = [chart.stripeBalance(b.currency), chart.refundDue(b.booking_id, b.currency)];
  return post(db, {
    key: `payment:${b.payment_intent_id}`, kind: 'payment_received', booking_id: b.booking_id, ev,
    description: `Guest payment for booking ${b.booking_id} (${b.payment_intent_id}) after it was cancelled: owed back in full`,
    accounts: [bal, due], lines: [line(bal, 'D', amount_minor), line(due, 'C', amount_minor)],
  });
}

export function postStripeFee(db: Db, x: { booking_id: string | null; currency: string; fee_minor: number; balance_transaction: string }, ev: EventRef) {
  const [fees, bal] = [chart.stripeFees(x.currency), chart.stripeBalance(x.currency)];
  return post(db, {
    key: `stripe_fee:${x.balance_transaction}`, kind: 'stripe_fee', booking_id: x.booking_id, ev, reported: { object_id: x.balance_transaction, amount_minor: x.fee_minor },
    description: `Stripe processing fee (${x.balance_transaction})`,
    accounts: [fees, bal], lines: [line(fees, 'D', x.fee_minor), line(bal, 'C', x.fee_minor)],
  });
}

/** Takes `amount` from a booking-held account first, the remainder from where it went after settlement. */
async function takeFrom(db: Db, held: ChartAccount, after: ChartAccount, amount: number, committed = 0): Promise<Array<JournalLine | null>> {
  const available = Math.max(0, (await heldIn(db, held)) - committed);
  const first = Math.min(available, amount);
  return [line(held, 'D', first), line(after, 'D', amount - first)];
}

export type CancellationAmounts = { refund_to_guest: number; host_share_released: number; fees_released: number; taxes_released: number; host_penalty: number; fees_kept: number; taxes_kept: number; transfer_in_flight: number };

/**
 * Executes a cancellation decision in the ledger: the refunded parts move from the booking's
 * liabilities (or, if already paid out, from the host's receivable and recognised revenue) into
 * the refund owed to the guest; the kept fees and taxes are recognised; a host penalty is charged
 * to the host's receivable.
 */
export async function postCancellation(db: Db, b: { booking_id: string; host_id: string; currency: string }, a: CancellationAmounts, ev: EventRef & { decision_id: string }) {
  const c = b.currency;
  const acc = {
    refundDue: chart.refundDue(b.booking_id, c), host: chart.hostShare(b.booking_id, c), fees: chart.platformFees(b.booking_id, c), taxes: chart.bookingTaxes(b.booking_id, c),
    receivable: chart.hostReceivable(b.host_id, c), revenue: chart.feeRevenue(c), taxesPayable: chart.taxesPayable(c), penalty: chart.penaltyRevenue(c),
    penalties: chart.hostPenalties(b.host_id, c),
  };
  await ensureAccounts(db, Object.values(acc), ev.occurred_at);
  const results: Array<PostResult | null> = [];
  results.push(await post(db, {
    key: `cancellation:${ev.decision_id}`, kind: 'cancellation_refund_due', booking_id: b.booking_id, ev,
    description: `Cancellation of booking ${b.booking_id}: refund owed to the guest`,
    accounts: Object.values(acc),
    lines: [
      ...(await takeFrom(db, acc.host, acc.receivable, a.host_share_released, a.transfer_in_flight)),
      ...(await takeFrom(db, acc.fees, acc.revenue, a.fees_released)),
      ...(await takeFrom(db, acc.taxes, acc.taxesPayable, a.taxes_released)),
      line(acc.refundDue, 'C', a.refund_to_guest),
    ],
  }));
  const feesHeld = Math.min(a.fees_kept, Math.max(0, await heldIn(db, acc.fees)));
  const taxesHeld = Math.min(a.taxes_kept, Math.max(0, await heldIn(db, acc.taxes)));
  results.push(await post(db, {
    key: `cancellation_kept:${ev.decision_id}`, kind: 'fees_recognised', booking_id: b.booking_id, ev,
    description: `Cancellation of booking ${b.booking_id}: kept fees earned, kept taxes payable`,
    accounts: Object.values(acc),
    lines: [line(acc.fees, 'D', feesHeld), line(acc.revenue, 'C', feesHeld), line(acc.taxes, 'D', taxesHeld), line(acc.taxesPayable, 'C', taxesHeld)],
  }));
  results.push(await post(db, {
    key: `host_penalty:${ev.decision_id}`, kind: 'host_penalty', booking_id: b.booking_id, ev,
    description: `Host cancellation penalty for booking ${b.booking_id}, deducted from future payouts`,
    accounts: Object.values(acc),
    lines: [line(acc.penalties, 'D', a.host_penalty), line(acc.penalty, 'C', a.host_penalty)],
  }));
  return results;
}

export function postRefundSettled(db: Db, b: { booking_id: string; currency: string }, x: { refund_id: string; amount_minor: number }, ev: EventRef) {
  const [due, bal] = [chart.refundDue(b.booking_id, b.currency), chart.stripeBalance(b.currency)];
  return post(db, {
    key: `refund:${x.refund_id}`, kind: 'refund_paid', booking_id: b.booking_id, ev, reported: { object_id: x.refund_id, amount_minor: x.amount_minor },
    description: `Refund ${x.refund_id} to the guest of booking ${b.booking_id}`,
    accounts: [due, bal], lines: [line(due, 'D', x.amount_minor), line(bal, 'C', x.amount_minor)],
  });
}

/**
 * A transfer to the host left the platform balance: the host's share is settled (net of any
 * deduction for what the host owes), and the booking's held fees and taxes are recognised.
 */
export async function postTransfer(db: Db, b: { booking_id: string; host_id: string; currency: string }, x: { transfer_id: string; amount_minor: number; deduction_minor: number }, ev: EventRef) {
  const c = b.currency;
  const acc = { host: chart.hostShare(b.booking_id, c), bal: chart.stripeBalance(c), receivable: chart.hostPenalties(b.host_id, c), fees: chart.platformFees(b.booking_id, c), revenue: chart.feeRevenue(c), taxes: chart.bookingTaxes(b.booking_id, c), taxesPayable: chart.taxesPayable(c) };
  await ensureAccounts(db, Object.values(acc), ev.occurred_at);
  const fees = Math.max(0, await heldIn(db, acc.fees));
  const taxes = Math.max(0, await heldIn(db, acc.taxes));
  return post(db, {
    key: `transfer:${x.transfer_id}`, kind: 'host_transfer', booking_id: b.booking_id, ev, reported: { object_id: x.transfer_id, amount_minor: x.amount_minor },
    description: `Transfer ${x.transfer_id} to host ${b.host_id} for booking ${b.booking_id}`,
    accounts: Object.values(acc),
    lines: [
      line(acc.host, 'D', x.amount_minor + x.deduction_minor), line(acc.bal, 'C', x.amount_minor), line(acc.receivable, 'C', x.deduction_minor),
      line(acc.fees, 'D', fees), line(acc.revenue, 'C', fees), line(acc.taxes, 'D', taxes), line(acc.taxesPayable, 'C', taxes),
    ],
  });
}

export function postTransferReversal(db: Db, b: { booking_id: string; host_id: string; currency: string }, x: { reversal_id: string; amount_minor: number }, ev: EventRef) {
  const [bal, receivable] = [chart.stripeBalance(b.currency), chart.hostReceivable(b.host_id, b.currency)];
  return post(db, {
    key: `transfer_reversal:${x.reversal_id}`, kind: 'host_recovery', booking_id: b.booking_id, ev, reported: { object_id: x.reversal_id, amount_minor: x.amount_minor },
    description: `Transfer reversal ${x.reversal_id}: recovered from host ${b.host_id} for booking ${b.booking_id}`,
    accounts: [bal, receivable], lines: [line(bal, 'D', x.amount_minor), line(receivable, 'C', x.amount_minor)],
  });
}

/**
 * Money a dispute moved on the platform balance, from Stripe's own balance transaction: a
 * withdrawal (amount and fee) is held against the booking until the dispute closes and its
 * policy says who bears it; a reinstatement gives the amount back.
 */
export function postDisputeMovement(db: Db, b: { booking_id: string; currency: string }, x: { balance_transaction: string; amount_minor: number; fee_minor: number }, ev: EventRef) {
  const c = b.currency;
  const [held, bal] = [chart.disputeHeld(b.booking_id, c), chart.stripeBalance(c)];
  const withdrawn = x.amount_minor < 0;
  const amount = Math.abs(x.amount_minor);
  return post(db, {
    key: `dispute_txn:${x.balance_transaction}`, kind: withdrawn ? 'dispute_withdrawal' : 'dispute_reinstatement', booking_id: b.booking_id, ev, reported: { object_id: x.balance_transaction, amount_minor: x.amount_minor },
    description: withdrawn ? `Dispute withdrew ${amount} and a fee of ${x.fee_minor} for booking ${b.booking_id}` : `Dispute reinstated ${amount} for booking ${b.booking_id}`,
    accounts: [held, bal],
    lines: withdrawn
      ? [line(held, 'D', amount + x.fee_minor), line(bal, 'C', amount + x.fee_minor)]
      : [line(bal, 'D', amount), line(held, 'C', amount)],
  });
}

/** A closed dispute: who bears what it withdrew and kept (amount if lost, fee), by the dispute policy. */
export function postDisputeClosed(db: Db, b: { booking_id: string; host_id: string; currency: string }, x: { dispute_id: string; status: 'lost' | 'won'; host_bears: number; platform_bears: number }, ev: EventRef & { decision_id: string }) {
  const c = b.currency;
  const [held, receivable, losses] = [chart.disputeHeld(b.booking_id, c), chart.hostReceivable(b.host_id, c), chart.disputeLosses(c)];
  return post(db, {
    key: `dispute_closed:${x.dispute_id}`, kind: `dispute_${x.status}`, booking_id: b.booking_id, ev, reported: { object_id: x.dispute_id, amount_minor: x.host_bears + x.platform_bears },
    description: `Dispute ${x.dispute_id} ${x.status} on booking ${b.booking_id}: host bears ${x.host_bears}, platform ${x.platform_bears}`,
    accounts: [held, receivable, losses],
    lines: [line(receivable, 'D', x.host_bears), line(losses, 'D', x.platform_bears), line(held, 'C', x.host_bears + x.platform_bears)],
  });
}

export function postCreditsEarned(db: Db, x: { lot_id: string; guest_id: string; booking_id: string | null; credits: number; reason: string }, ev: EventRef) {
  const [issued, guest] = [chart.creditsIssued(), chart.guestCredits(x.guest_id)];
  return post(db, {
    key: `credits_earned:${x.lot_id}`, kind: 'credits_earned', booking_id: x.booking_id, ev,
    description: `${x.credits} loyalty credits to guest ${x.guest_id}: ${x.reason}`,
    accounts: [issued, guest], lines: [line(issued, 'D', x.credits), line(guest, 'C', x.credits)],
  });
}

export function postCreditsRedeemed(db: Db, x: { guest_id: string; booking_id: string; credits: number }, ev: EventRef) {
  const [issued, guest] = [chart.creditsIssued(), chart.guestCredits(x.guest_id)];
  return post(db, {
    key: `credits_redeemed:${x.booking_id}`, kind: 'credits_redeemed', booking_id: x.booking_id, ev,
    description: `${x.credits} loyalty credits of guest ${x.guest_id} redeemed against the service fee of booking ${x.booking_id}`,
    accounts: [issued, guest], lines: [line(guest, 'D', x.credits), line(issued, 'C', x.credits)],
  });
}

export function postCreditsExpired(db: Db, x: { lot_id: string; guest_id: string; credits: number }, ev: EventRef) {
  const [issued, guest] = [chart.creditsIssued(), chart.guestCredits(x.guest_id)];
  return post(db, {
    key: `credits_expired:${x.lot_id}`, kind: 'credits_expired', booking_id: null, ev,
    description: `${x.credits} loyalty credits of guest ${x.guest_id} expired (lot ${x.lot_id})`,
    accounts: [issued, guest], lines: [line(guest, 'D', x.credits), line(issued, 'C', x.credits)],
  });
}
