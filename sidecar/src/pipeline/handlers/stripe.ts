import { DomainError, hashOf } from '../../kernel/index.js';
import type { BookingRecord } from '../../flows/booking/store.js';
import {
  disputeClosedEntry, disputeMovementEntry, latePaymentEntry, paymentEntry, refundSettledEntry, reversalEntry, stripeFeeEntry, transferEntry, transferReversalEntry, type EventRef,
} from '../../flows/booking/entries.js';
import { chart } from '../../flows/vocabulary.js';
import { decisionIdFor } from '../../flows/evidence/decisions.js';
import { intentIdFor } from '../../flows/outbox/intents.js';
import { KIND } from '../../flows/vocabulary.js';
import { disputeLiability, disputeOutcomeOf, paymentSplit, ruleRefOf } from '../../nora/index.js';
import { factsOf } from '../booking-facts.js';
import { ParkEvent, RefuseEvent, ref, type HandlerResult } from '../context.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';
import { requestRecoveries } from '../recoveries.js';
import { notIntended, postOutsidePolicy } from './outside-policy.js';
import { settleBalanceDue } from './modification.js';
import { contestDispute, disputeFactsOf } from './dispute-contest.js';
import { fxConversionEntry } from '../../flows/booking/fx-entries.js';
import { announceDisputeClosed, announceDisputeOpened, announcePaymentCaptured, announcePayoutSent, announceRefundFailed, announceRefundIssued } from '../announce.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);

export function objectOf(event: DispatchEvent): Obj {
  // Webhooks carry an Event envelope; objects the outbox fetched are stored bare.
  return event.source === 'stripe_api' ? event.payload : ((event.payload.data as { object: Obj }).object);
}

/** The booking a Stripe object belongs to, through its metadata or the objects already linked. */
function bookingOf(state: HandlerState, o: Obj): BookingRecord | undefined {
  const metadata = (o.metadata ?? {}) as Obj;
  let id = str(metadata.booking_id);
  const pi = str(o.payment_intent) ?? (o.object === 'payment_intent' ? str(o.id) : undefined);
  if (!id && pi) id = state.bookingIdForPaymentIntent(pi);
  if (!id && str(o.charge)) id = state.stripeObject(str(o.charge)!)?.booking_id ?? undefined;
  if (!id && str(o.source_transaction)) id = state.stripeObject(str(o.source_transaction)!)?.booking_id ?? undefined;
  if (!id && str(o.transfer)) id = state.stripeObject(str(o.transfer)!)?.booking_id ?? undefined;
  return id ? state.booking(id) : undefined;
}

function requireBookingOf(state: HandlerState, o: Obj): BookingRecord {
  const b = bookingOf(state, o);
  if (!b) throw new ParkEvent('booking_not_confirmed', `no confirmed booking for ${String(o.object)} ${String(o.id)} yet`);
  return b;
}

/**
 * A transfer to the host (or an offset of what the host owes): the booking's fees and taxes still
 * held are recognised with it, as the state holds them, so the entry builder only writes amounts.
 */
export function postHostTransfer(state: HandlerState, b: BookingRecord, x: { transfer_id: string; amount_minor: number; deduction_minor: number; offset_minor?: number; returned_minor?: number }, ev: EventRef) {
  const fees = state.balance(chart.platformFees(b.booking_id, b.currency));
  const taxes = state.balance(chart.bookingTaxes(b.booking_id, b.currency));
  return state.effects.post(transferEntry(b, { ...x, fees_recognised: Math.max(0, fees), taxes_recognised: Math.max(0, taxes) }, ev));
}

export const onPaymentIntentSucceeded: DecisionHandler = (state, event) => {
  const pi = objectOf(event);
  const pi_id = str(pi.id)!;
  const meta_booking = str((pi.metadata as Obj | undefined)?.booking_id);
  if (!meta_booking) throw new DomainError('validation_failed', `payment intent ${pi_id} has no metadata.booking_id`);
  const b = state.booking(meta_booking);
  if (!b) throw new ParkEvent('booking_not_confirmed', `booking ${meta_booking} has not been confirmed yet`);
  if (b.payment_intent_id !== pi_id) {
    // A later payment of a balance due after a price increase (issue #12), else a mismatch.
    const settled = settleBalanceDue(state, b, { id: pi_id, amount_received: int(pi.amount_received), currency: String(pi.currency ?? '') }, event);
    if (settled) return settled;
    throw new RefuseEvent('validation_failed', `payment intent ${pi_id} says booking ${meta_booking}, whose payment intent is ${b.payment_intent_id}`, b.booking_id, 'payment_intent_mismatch');
  }
  const charge = str(pi.latest_charge);
  state.effects.add('links', { object_id: pi_id, kind: 'payment_intent', booking_id: b.booking_id, inbox_id: event.id, data: { amount_received: pi.amount_received, currency: pi.currency } });
  if (charge) state.effects.add('links', { object_id: charge, kind: 'charge', booking_id: b.booking_id, inbox_id: event.id, data: { payment_intent: pi_id, amount: pi.amount_received, currency: pi.currency } });

  if (b.state === 'cancelled') return refundLatePayment(state, b, pi, event);
  const fees = state.policy(b.policies.fees);
  const money = state.money(b.booking_id);
  const facts = factsOf(b, money);
  const loyalty = facts.credits_redeemed ? state.policy(b.policies.loyalty) : undefined;
  const split = paymentSplit({ fees, facts, ...(loyalty ? { loyalty } : {}) });
  const received = int(pi.amount_received);
  const currency = String(pi.currency ?? '').toUpperCase();
  if (received !== split.expected_total || currency !== b.currency) {
    const reason = `received ${received} ${currency}, the booking's total is ${split.expected_total} ${b.currency}`;
    throw new ParkEvent('amount_mismatch', `payment does not match the booking: ${reason}`, b.booking_id);
  }
  const decision_id = decisionIdFor(event.source, event.event_id, 'payment_split');
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'payment_split', actor: null,
    policy: ruleRefOf(fees).policy, policy_version: fees.version, policy_hash: fees.hash,
    input: { facts, amount_received: received, policies: { fees: ruleRefOf(fees), ...(loyalty ? { loyalty: ruleRefOf(loyalty) } : {}) } }, allowed: true, reason: null,
    outcome: split, outcome_hash: hashOf(split), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  const posted = state.effects.post(paymentEntry(b, { total: received, host_share: split.host_share, platform_fees: split.guest_service_fee + split.host_fee, taxes: split.taxes, service_fee: split.guest_service_fee, host_fee: split.host_fee }, ref(event, decision_id)));
  announcePaymentCaptured(state, event, b, { posted, amount_minor: received, host_share_minor: split.host_share, platform_fees_minor: split.guest_service_fee + split.host_fee, taxes_minor: split.taxes, rule: ruleRefOf(fees), decision_id });
  if (b.state === 'awaiting_payment') state.effects.transition(b.booking_id, 'pay', event.id, event.occurred_at);
  else if (!posted?.replayed) throw new DomainError('illegal_transition', `payment for a booking that is ${b.state}`);
  return { status: 'processed', keys: [b.booking_id, `pi:${pi_id}`, ...(charge ? [`ch:${charge}`] : [])] };
};

/**
 * The guest's money arrived after the booking was cancelled while unpaid (the cancellation decided
 * nothing was paid, so nothing was kept): the payment is posted and refunded in full.
 */
function refundLatePayment(state: HandlerState, b: BookingRecord, pi: Obj, event: DispatchEvent): HandlerResult {
  const received = int(pi.amount_received);
  const cancellation = b.policies.cancellation!;
  const decision_id = decisionIdFor(event.source, event.event_id, 'late_payment_refund');
  const outcome = { refund_to_guest: received, currency: b.currency, reason: 'paid after the booking was cancelled unpaid' };
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'late_payment_refund', actor: null,
    policy: `cancellation/${cancellation.id}`, policy_version: cancellation.version, policy_hash: cancellation.hash,
    input: { booking_state: b.state, amount_received: received, payment_intent: str(pi.id) }, allowed: true, reason: null,
    outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  const posted = state.effects.post(latePaymentEntry(b, received, ref(event, decision_id)));
  announcePaymentCaptured(state, event, b, { posted, amount_minor: received, host_share_minor: 0, platform_fees_minor: 0, taxes_minor: 0, rule: { policy: `cancellation/${cancellation.id}`, version: cancellation.version, hash: cancellation.hash }, decision_id });
  if (!posted?.replayed && received > 0) {
    state.effects.transition(b.booking_id, 'refund_late_payment', event.id, event.occurred_at);
    state.effects.add('intents', {
      intent_id: intentIdFor('refund', decision_id), decision_id, booking_id: b.booking_id, operation: 'refund', inbox_id: event.id,
      params: { payment_intent: b.payment_intent_id, amount: received, currency: b.currency.toLowerCase(), metadata: { booking_id: b.booking_id, decision_id } },
    });
  }
  return { status: 'processed', code: 'refunded_late_payment', reason: `booking ${b.booking_id} was cancelled before its payment arrived: refunded in full`, keys: [b.booking_id, `pi:${String(pi.id)}`] };
}

export const onChargeSucceeded: DecisionHandler = (state, event) => {
  const ch = objectOf(event);
  const b = requireBookingOf(state, ch);
  state.effects.add('links', { object_id: str(ch.id)!, kind: 'charge', booking_id: b.booking_id, inbox_id: event.id, data: { payment_intent: ch.payment_intent ?? null, amount: ch.amount, currency: ch.currency } });
  const txn = str(ch.balance_transaction);
  if (!txn) return { status: 'processed', code: 'fee_unknown_yet', reason: 'no balance transaction yet; the fee is posted when charge.updated carries it', keys: [b.booking_id] };
  if (state.stripeObject(txn)) return { status: 'ignored', code: 'fee_already_known', keys: [b.booking_id] };
  const decision_id = decisionIdFor(event.source, event.event_id, 'fee_lookup');
  state.effects.add('intents', { intent_id: intentIdFor('balance_transaction', txn), decision_id, booking_id: b.booking_id, operation: 'balance_transaction', params: { id: txn, charge: ch.id }, inbox_id: event.id });
  return { status: 'processed', keys: [b.booking_id, `ch:${String(ch.id)}`] };
};

/** A balance transaction fetched by the outbox: its fee is the Stripe processing fee. */
export const onBalanceTransaction: DecisionHandler = (state, event) => {
  const txn = event.payload;
  const source = str(txn.source);
  const linked = source ? state.stripeObject(source) : undefined;
  state.effects.add('links', { object_id: str(txn.id)!, kind: 'balance_transaction', booking_id: linked?.booking_id ?? null, inbox_id: event.id, data: { fee: txn.fee, currency: txn.currency, source } });
  // A charge settled in another currency (issue #12): the conversion first, at Stripe's rate.
  const rate = typeof txn.exchange_rate === 'number' ? txn.exchange_rate : null;
  const presented = linked?.kind === 'charge' || linked?.kind === 'refund' ? { amount: int(linked.data.amount), currency: String(linked.data.currency ?? '').toUpperCase() } : null;
  const settled = String(txn.currency).toUpperCase();
  let converted = false;
  if (rate !== null && presented && presented.currency !== '' && presented.currency !== settled) {
    const legs = { presented: { currency: presented.currency, amount_minor: presented.amount }, settled: { currency: settled, amount_minor: Math.abs(int(txn.amount)) } };
    // A charge converts the presented amount into the settlement currency; its refund converts back.
    const [from, to] = linked!.kind === 'charge' ? [legs.presented, legs.settled] : [legs.settled, legs.presented];
    converted = state.effects.post(fxConversionEntry({ booking_id: linked?.booking_id ?? null, balance_transaction: str(txn.id)!, from, to, exchange_rate: rate }, ref(event))) !== null;
  }
  const fee = int(txn.fee);
  if (fee <= 0) return converted ? { status: 'processed', code: 'fx_converted', keys: linked?.booking_id ? [linked.booking_id] : [] } : { status: 'ignored', code: 'no_fee' };
  state.effects.post(stripeFeeEntry({ booking_id: linked?.booking_id ?? null, currency: String(txn.currency).toUpperCase(), fee_minor: fee, balance_transaction: str(txn.id)! }, ref(event)));
  return { status: 'processed', keys: linked?.booking_id ? [linked.booking_id] : [] };
};

export const onRefund: DecisionHandler = (state, event) => {
  const re = objectOf(event);
  const b = requireBookingOf(state, re);
  const refund_id = str(re.id)!;
  const decision_id = str((re.metadata as Obj | undefined)?.decision_id);
  state.effects.add('links', { object_id: refund_id, kind: 'refund', booking_id: b.booking_id, inbox_id: event.id, data: { amount: re.amount, currency: re.currency ?? null, decision_id: decision_id ?? null } });
  const status = str(re.status);
  const outside = notIntended(state, b, 'refund', re, decision_id);
  if (outside) {
    // Real money that left, but no decision intended it: suspense, flagged, listed (issue #13).
    if (status === 'succeeded') return postOutsidePolicy(state, event, b, { object_id: refund_id, object_kind: 'refund', amount_minor: int(re.amount), flow: 'out', reason: outside });
    const posted = state.entry(`outside_policy:${refund_id}`);
    if ((status === 'failed' || status === 'canceled') && posted && !state.entry(`outside_policy_failed:${refund_id}`)) {
      state.effects.post(reversalEntry(posted, { idempotency_key: `outside_policy_failed:${refund_id}`, occurred_at: event.occurred_at, reason: `refund ${refund_id} ${status} after it succeeded`, meta: { event_id: `${event.source}:${event.event_id}`, inbox_id: event.id } }));
      return { status: 'processed', code: 'movement_outside_policy', reason: `refund ${refund_id} ${status}: its suspense entry is reversed`, keys: [b.booking_id] };
    }
    return { status: 'ignored', code: `refund_${status ?? 'unknown'}`, reason: `outside policy (${outside}); posted to suspense when it succeeds`, keys: [b.booking_id] };
  }
  if (status === 'succeeded') {
    const posted = state.effects.post(refundSettledEntry(b, { refund_id, amount_minor: int(re.amount) }, ref(event, decision_id)));
    // The booking's charge was settled in another currency (its fx_conversion is posted): so is its
    // refund — the refund's balance transaction is looked up for Stripe's amount and rate (issue #12).
    const txn = str(re.balance_transaction);
    if (txn && state.entriesOfBooking(b.booking_id).some((e) => e.kind === KIND.fx_conversion)) {
      state.effects.add('intents', { intent_id: intentIdFor('balance_transaction', txn), decision_id: `fx_refund:${refund_id}`, booking_id: b.booking_id, operation: 'balance_transaction', params: { id: txn, refund: refund_id }, inbox_id: event.id });
    }
    announceRefundIssued(state, event, b, { posted, refund_id, amount_minor: int(re.amount), decision_id: decision_id ?? null });
    if (!posted?.replayed && (b.state === 'refund_pending' || b.state === 'refund_failed')) state.effects.transition(b.booking_id, 'refund_succeeded', event.id, event.occurred_at);
    return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : undefined, keys: [b.booking_id] };
  }
  if (status === 'failed' || status === 'canceled') {
    // A refund can fail after it succeeded: the money came back to the platform, so the entry is reversed.
    const paid = state.entry(`refund:${refund_id}`);
    let reversal = null;
    if (paid && !state.entry(`refund_failed:${refund_id}`)) {
      reversal = state.effects.post(reversalEntry(paid, { idempotency_key: `refund_failed:${refund_id}`, occurred_at: event.occurred_at, reason: `refund ${refund_id} ${status} after it succeeded`, meta: { event_id: `${event.source}:${event.event_id}`, inbox_id: event.id } }));
    }
    if (b.state === 'refund_pending' || b.state === 'refunded') state.effects.transition(b.booking_id, 'refund_failed', event.id, event.occurred_at);
    state.effects.add('flags', { booking_id: b.booking_id, inbox_id: event.id, code: 'refund_failed', reason: `refund ${refund_id} ${status}: ${String(re.failure_reason ?? 'no reason given')}` });
    announceRefundFailed(state, event, b, { reversal, refund_id, amount_minor: int(re.amount), failure_reason: String(re.failure_reason ?? status), decision_id: decision_id ?? null });
    return { status: 'processed', code: 'refund_failed', reason: String(re.failure_reason ?? status), keys: [b.booking_id] };
  }
  return { status: 'ignored', code: `refund_${status ?? 'unknown'}`, reason: 'posted when the refund succeeds', keys: [b.booking_id] };
};

export const onChargeRefunded: DecisionHandler = (state, event) => {
  const ch = objectOf(event);
  const b = requireBookingOf(state, ch);
  // Since API 2022-11-15 a charge no longer lists its refunds: each refund is posted from its own events.
  return { status: 'ignored', code: 'reported_by_refund_events', reason: `charge shows ${int(ch.amount_refunded)} refunded; refunds post from refund events`, keys: [b.booking_id] };
};

export const onTransfer: DecisionHandler = (state, event) => {
  const tr = objectOf(event);
  const b = requireBookingOf(state, tr);
  const transfer_id = str(tr.id)!;
  const metadata = (tr.metadata ?? {}) as Obj;
  state.effects.add('links', { object_id: transfer_id, kind: 'transfer', booking_id: b.booking_id, inbox_id: event.id, data: { amount: tr.amount, destination: tr.destination } });
  const outside = notIntended(state, b, 'transfer', tr, str(metadata.decision_id));
  if (outside) return postOutsidePolicy(state, event, b, { object_id: transfer_id, object_kind: 'transfer', amount_minor: int(tr.amount), flow: 'out', reason: outside });
  const deduction = Number(metadata.deduction_minor ?? 0);
  const offset = Number(metadata.offset_minor ?? 0);
  const returned = Number(metadata.returned_minor ?? 0);
  const posted = postHostTransfer(state, b, {
    transfer_id, amount_minor: int(tr.amount), deduction_minor: Number.isSafeInteger(deduction) ? deduction : 0, offset_minor: Number.isSafeInteger(offset) ? offset : 0,
    returned_minor: Number.isSafeInteger(returned) ? returned : 0,
  }, ref(event, str(metadata.decision_id)));
  // A deduction posted at the decision (metadata deducted_minor) is still what the host was told was kept.
  const told = Number.isSafeInteger(deduction) && deduction > 0 ? deduction : Number(metadata.deducted_minor ?? 0);
  announcePayoutSent(state, event, b, { posted, transfer_id, amount_minor: int(tr.amount), deduction_minor: Number.isSafeInteger(told) && told > 0 ? told : 0, decision_id: str(metadata.decision_id) ?? null });
  if (!posted?.replayed && b.state === 'payout_pending') state.effects.transition(b.booking_id, 'confirm_payout', event.id, event.occurred_at);
  if (!posted?.replayed) requestRecoveries(state, b.booking_id, event.id);
  const reversals = ((tr.reversals as { data?: Obj[] } | undefined)?.data ?? []);
  for (const r of reversals) postReversal(state, b, r, event);
  return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : undefined, keys: [b.booking_id] };
};

function postReversal(state: HandlerState, b: BookingRecord, r: Obj, event: DispatchEvent) {
  state.effects.add('links', { object_id: str(r.id)!, kind: 'transfer_reversal', booking_id: b.booking_id, inbox_id: event.id, data: { amount: r.amount, transfer: r.transfer } });
  return state.effects.post(transferReversalEntry(b, { reversal_id: str(r.id)!, amount_minor: int(r.amount) }, ref(event, str((r.metadata as Obj | undefined)?.decision_id))));
}

export const onTransferReversal: DecisionHandler = (state, event) => {
  const r = objectOf(event);
  const b = requireBookingOf(state, r);
  const posted = postReversal(state, b, r, event);
  return { status: posted?.replayed ? 'ignored' : 'processed', keys: [b.booking_id] };
};

/**
 * A card dispute: every balance transaction it carries (withdrawal with fee, reinstatement) is
 * posted once; when it closes, the dispute policy says who bears the amount (if lost) and the fee,
 * and the host's share is recovered with a transfer reversal.
 */
/**
 * A dispute's movement is dated when Stripe moved the money (its balance transaction's `created`),
 * not when the first event carrying it reached us: `charge.dispute.created` may arrive after
 * `charge.dispute.closed`, and reconciliation compares by date window, so a withdrawal dated at the
 * close fell in another window than Stripe's and showed as unknown_to_stripe (simulation seed 253,
 * late deliveries). Never later than the event that reports it; Stripe's time, signed with it.
 */
function movementTime(txn: Obj, reported_at: string): string {
  const created_s = int(txn.created);
  if (!Number.isSafeInteger(created_s) || created_s <= 0) return reported_at;
  const moved_at = new Date(created_s * 1000).toISOString();
  return moved_at < reported_at ? moved_at : reported_at;
}

export const onDispute: DecisionHandler = (state, event) => {
  const dp = objectOf(event);
  const b = requireBookingOf(state, dp);
  const dispute_id = str(dp.id)!;
  const facts = disputeFactsOf(dp);
  state.effects.add('links', { object_id: dispute_id, kind: 'dispute', booking_id: b.booking_id, inbox_id: event.id, data: { amount: dp.amount, charge: dp.charge, ...(facts ? { reason: facts.reason, status: facts.status, currency: facts.currency, due_by: facts.due_by } : {}) } });
  let fee_minor = 0;
  const movements = [];
  for (const txn of ((dp.balance_transactions ?? []) as Obj[])) {
    if (typeof txn !== 'object' || !str(txn.id)) continue;
    if (int(txn.amount) < 0) fee_minor += int(txn.fee);
    const movedAt = { ...ref(event), occurred_at: movementTime(txn, event.occurred_at) };
    movements.push(state.effects.post(disputeMovementEntry(b, { balance_transaction: str(txn.id)!, amount_minor: int(txn.amount), fee_minor: int(txn.fee) }, movedAt)));
  }
  announceDisputeOpened(state, event, b, { dispute_id, charge_id: str(dp.charge) ?? null, amount_minor: int(dp.amount), reason: str(dp.reason) ?? null, posted: movements.filter((m) => !m?.replayed) });
  if (event.type !== 'charge.dispute.closed') {
    contestDispute(state, event, b, dp); // issue #12: answered by the evidence we hold
    return { status: 'processed', keys: [b.booking_id] };
  }
  // lost: the amount stays withdrawn; won (or an inquiry closed with a warning): only the fee may.
  const status = dp.status === 'lost' ? 'lost' : 'won';
  const dispute = state.policy(b.policies.dispute);
  const money = state.money(b.booking_id);
  // The host's payout whatever its timing (flow 8's rule): a transfer decided but not yet confirmed
  // (an outage, retries) counts as paid and is reversed once it lands; a share not yet decided is
  // pending and the host's part is withheld from it. Same outcome before or after the payout.
  // What a payout settled instead of transferring (what the host owed, deducted) was paid to the host
  // too: the host bears a lost dispute up to it as well, and owes it again (seed 4282).
  const host_deducted_minor = money.host_deducted_minor;
  const host_paid_out_minor = Math.max(0, money.host_paid_out_minor + host_deducted_minor + money.transfer_in_flight_minor - money.host_recovered_minor);
  const host_payout_pending_minor = money.transfer_in_flight_minor > 0 ? 0 : Math.max(0, state.balance(chart.hostShare(b.booking_id, b.currency)));
  const liability = disputeLiability({ dispute, status, currency: b.currency, disputed_minor: int(dp.amount), dispute_fee_minor: fee_minor, host_paid_out_minor, host_payout_pending_minor, host_deducted_minor });
  const decision_id = decisionIdFor(event.source, event.event_id, `dispute_${status}`);
  const outcome = disputeOutcomeOf(liability);
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: `dispute_${status}`, actor: null,
    policy: ruleRefOf(dispute).policy, policy_version: dispute.version, policy_hash: dispute.hash,
    input: { dispute_id, status, disputed_minor: int(dp.amount), dispute_fee_minor: fee_minor, host_paid_out_minor, ...(host_payout_pending_minor > 0 ? { host_payout_pending_minor } : {}), ...(host_deducted_minor > 0 ? { host_deducted_minor } : {}), currency: b.currency, policies: { dispute: ruleRefOf(dispute) } },
    allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  const closed = state.effects.post(disputeClosedEntry(b, { dispute_id, status, host_bears: liability.host_bears, platform_bears: liability.platform_bears, withheld_from_payout: liability.withheld_from_payout, reowed: liability.reowed }, { ...ref(event, decision_id), decision_id }));
  announceDisputeClosed(state, event, b, { posted: closed, dispute_id, status, amount_minor: int(dp.amount), host_bears_minor: liability.host_bears, platform_bears_minor: liability.platform_bears, rule: ruleRefOf(dispute), decision_id });
  if (status === 'won') return { status: 'processed', keys: [b.booking_id] };
  // The part not withheld is reversed now if the transfer exists, else when it is confirmed (recoveries.ts).
  if (liability.host_bears - liability.withheld_from_payout - liability.reowed > 0) requestRecoveries(state, b.booking_id, event.id);
  state.effects.add('flags', { booking_id: b.booking_id, inbox_id: event.id, code: 'dispute_lost', reason: `dispute ${dispute_id} lost: host bears ${liability.host_bears}, platform ${liability.platform_bears}` });
  return { status: 'processed', keys: [b.booking_id] };
};
