import { DomainError } from '../../kernel/index.js';
import { bookingIdForPaymentIntent, flagBooking, getBooking, linkStripeObject, stripeObject, stripeObjectsOfBooking, transition, type BookingRecord } from '../../flows/booking/store.js';
import { bookingMoney } from '../../flows/booking/money-view.js';
import { postEntryIntent } from '../../flows/booking/postings.js';
import { disputeClosedEntry, disputeMovementEntry, latePaymentEntry, paymentEntry, refundSettledEntry, stripeFeeEntry, transferReversalEntry } from '../../flows/booking/entries.js';
import { postHostTransfer } from './host-transfer.js';
import { decisionIdFor, recordDecision } from '../../flows/evidence/decisions.js';
import { addIntent, intentIdFor } from '../../flows/outbox/intents.js';
import { hashOf } from '../../kernel/index.js';
import { readEntry, reverseEntry } from '../../flows/ledger/index.js';
import { recordSubscriptionState } from '../../flows/booking/hosts.js';
import { disputeLiability, paymentSplit, ruleRefOf } from '../../nora/index.js';
import { factsOf, pinnedPolicy } from '../booking-facts.js';
import { ParkEvent, RefuseEvent, ref, type HandlerContext, type HandlerResult, type Trx } from '../context.js';
import { requestRecoveries } from '../recoveries.js';
import { settleBalanceDue } from './modification.js';
import { contestDispute, disputeFactsOf } from './dispute-contest.js';
import { fxConversionEntry } from '../../flows/booking/fx-entries.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);

function objectOf(payload: Obj, source: string): Obj {
  // Webhooks carry an Event envelope; objects the outbox fetched are stored bare.
  return source === 'stripe_api' ? payload : ((payload.data as { object: Obj }).object);
}

/** The booking a Stripe object belongs to, through its metadata or the objects already linked. */
async function bookingOf(db: Trx, o: Obj): Promise<BookingRecord | undefined> {
  const metadata = (o.metadata ?? {}) as Obj;
  let id = str(metadata.booking_id);
  const pi = str(o.payment_intent) ?? (o.object === 'payment_intent' ? str(o.id) : undefined);
  if (!id && pi) id = await bookingIdForPaymentIntent(db, pi);
  if (!id && str(o.charge)) id = (await stripeObject(db, str(o.charge)!))?.booking_id ?? undefined;
  if (!id && str(o.source_transaction)) id = (await stripeObject(db, str(o.source_transaction)!))?.booking_id ?? undefined;
  if (!id && str(o.transfer)) id = (await stripeObject(db, str(o.transfer)!))?.booking_id ?? undefined;
  return id ? getBooking(db, id) : undefined;
}

async function requireBookingOf(db: Trx, o: Obj): Promise<BookingRecord> {
  const b = await bookingOf(db, o);
  if (!b) throw new ParkEvent('booking_not_confirmed', `no confirmed booking for ${String(o.object)} ${String(o.id)} yet`);
  return b;
}

export async function onPaymentIntentSucceeded({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const pi = objectOf(payload, event.source);
  const pi_id = str(pi.id)!;
  const meta_booking = str((pi.metadata as Obj | undefined)?.booking_id);
  if (!meta_booking) throw new DomainError('validation_failed', `payment intent ${pi_id} has no metadata.booking_id`);
  const b = await getBooking(db, meta_booking);
  if (!b) throw new ParkEvent('booking_not_confirmed', `booking ${meta_booking} has not been confirmed yet`);
  if (b.payment_intent_id !== pi_id) {
    // A later payment of a balance due after a price increase (issue #12), else a mismatch.
    const settled = await settleBalanceDue(db, b, { id: pi_id, amount_received: int(pi.amount_received), currency: String(pi.currency ?? '') }, event);
    if (settled) return settled;
    throw new RefuseEvent('validation_failed', `payment intent ${pi_id} says booking ${meta_booking}, whose payment intent is ${b.payment_intent_id}`, b.booking_id, 'payment_intent_mismatch');
  }
  const charge = str(pi.latest_charge);
  await linkStripeObject(db, { object_id: pi_id, kind: 'payment_intent', booking_id: b.booking_id, inbox_id: event.id, data: { amount_received: pi.amount_received, currency: pi.currency } });
  if (charge) await linkStripeObject(db, { object_id: charge, kind: 'charge', booking_id: b.booking_id, inbox_id: event.id, data: { payment_intent: pi_id, amount: pi.amount_received, currency: pi.currency } });

  if (b.state === 'cancelled') return refundLatePayment(db, b, pi, event);
  const fees = await pinnedPolicy(db, b.policies.fees);
  const money = await bookingMoney(db, b.booking_id);
  const facts = factsOf(b, money);
  const loyalty = facts.credits_redeemed ? await pinnedPolicy(db, b.policies.loyalty) : undefined;
  const split = paymentSplit({ fees, facts, ...(loyalty ? { loyalty } : {}) });
  const received = int(pi.amount_received);
  const currency = String(pi.currency ?? '').toUpperCase();
  if (received !== split.expected_total || currency !== b.currency) {
    const reason = `received ${received} ${currency}, the booking's total is ${split.expected_total} ${b.currency}`;
    throw new ParkEvent('amount_mismatch', `payment does not match the booking: ${reason}`, b.booking_id);
  }
  const decision_id = decisionIdFor(event.source, event.event_id, 'payment_split');
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'payment_split', actor: null,
    policy: ruleRefOf(fees).policy, policy_version: fees.version, policy_hash: fees.hash,
    input: { facts, amount_received: received, policies: { fees: ruleRefOf(fees), ...(loyalty ? { loyalty: ruleRefOf(loyalty) } : {}) } }, allowed: true, reason: null,
    outcome: split, outcome_hash: hashOf(split), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  const posted = await postEntryIntent(db, paymentEntry(b, { total: received, host_share: split.host_share, platform_fees: split.guest_service_fee + split.host_fee, taxes: split.taxes, service_fee: split.guest_service_fee, host_fee: split.host_fee }, ref(event, decision_id)));
  if (b.state === 'awaiting_payment') await transition(db, b, 'pay', event.id, event.occurred_at);
  else if (!posted?.replayed) throw new DomainError('illegal_transition', `payment for a booking that is ${b.state}`);
  return { status: 'processed', keys: [b.booking_id, `pi:${pi_id}`, ...(charge ? [`ch:${charge}`] : [])] };
}

/**
 * The guest's money arrived after the booking was cancelled while unpaid (the cancellation decided
 * nothing was paid, so nothing was kept): the payment is posted and refunded in full.
 */
async function refundLatePayment(db: Trx, b: BookingRecord, pi: Obj, event: HandlerContext['event']): Promise<HandlerResult> {
  const received = int(pi.amount_received);
  const cancellation = b.policies.cancellation!;
  const decision_id = decisionIdFor(event.source, event.event_id, 'late_payment_refund');
  const outcome = { refund_to_guest: received, currency: b.currency, reason: 'paid after the booking was cancelled unpaid' };
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'late_payment_refund', actor: null,
    policy: `cancellation/${cancellation.id}`, policy_version: cancellation.version, policy_hash: cancellation.hash,
    input: { booking_state: b.state, amount_received: received, payment_intent: str(pi.id) }, allowed: true, reason: null,
    outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  const posted = await postEntryIntent(db, latePaymentEntry(b, received, ref(event, decision_id)));
  if (!posted?.replayed && received > 0) {
    await transition(db, b, 'refund_late_payment', event.id, event.occurred_at);
    await addIntent(db, {
      intent_id: intentIdFor('refund', decision_id), decision_id, booking_id: b.booking_id, operation: 'refund', inbox_id: event.id,
      params: { payment_intent: b.payment_intent_id, amount: received, currency: b.currency.toLowerCase(), metadata: { booking_id: b.booking_id, decision_id } },
    });
  }
  return { status: 'processed', code: 'refunded_late_payment', reason: `booking ${b.booking_id} was cancelled before its payment arrived: refunded in full`, keys: [b.booking_id, `pi:${String(pi.id)}`] };
}

export async function onChargeSucceeded({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const ch = objectOf(payload, event.source);
  const b = await requireBookingOf(db, ch);
  await linkStripeObject(db, { object_id: str(ch.id)!, kind: 'charge', booking_id: b.booking_id, inbox_id: event.id, data: { payment_intent: ch.payment_intent ?? null, amount: ch.amount, currency: ch.currency } });
  const txn = str(ch.balance_transaction);
  if (!txn) return { status: 'processed', code: 'fee_unknown_yet', reason: 'no balance transaction yet; the fee is posted when charge.updated carries it', keys: [b.booking_id] };
  if (await stripeObject(db, txn)) return { status: 'ignored', code: 'fee_already_known', keys: [b.booking_id] };
  const decision_id = decisionIdFor(event.source, event.event_id, 'fee_lookup');
  await addIntent(db, { intent_id: intentIdFor('balance_transaction', txn), decision_id, booking_id: b.booking_id, operation: 'balance_transaction', params: { id: txn, charge: ch.id }, inbox_id: event.id });
  return { status: 'processed', keys: [b.booking_id, `ch:${String(ch.id)}`] };
}

/** A balance transaction fetched by the outbox: its fee is the Stripe processing fee. */
export async function onBalanceTransaction({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const txn = payload;
  const source = str(txn.source);
  const linked = source ? await stripeObject(db, source) : undefined;
  await linkStripeObject(db, { object_id: str(txn.id)!, kind: 'balance_transaction', booking_id: linked?.booking_id ?? null, inbox_id: event.id, data: { fee: txn.fee, currency: txn.currency, source } });
  // A charge settled in another currency (issue #12): the conversion first, at Stripe's rate.
  const rate = typeof txn.exchange_rate === 'number' ? txn.exchange_rate : null;
  const presented = linked?.kind === 'charge' ? { amount: int(linked.data.amount), currency: String(linked.data.currency ?? '').toUpperCase() } : null;
  const settled = String(txn.currency).toUpperCase();
  if (rate !== null && presented && presented.currency !== '' && presented.currency !== settled) {
    await postEntryIntent(db, fxConversionEntry({ booking_id: linked?.booking_id ?? null, balance_transaction: str(txn.id)!, from: { currency: presented.currency, amount_minor: presented.amount }, to: { currency: settled, amount_minor: int(txn.amount) }, exchange_rate: rate }, ref(event)));
  }
  const fee = int(txn.fee);
  if (fee <= 0) return { status: 'ignored', code: 'no_fee' };
  await postEntryIntent(db, stripeFeeEntry({ booking_id: linked?.booking_id ?? null, currency: String(txn.currency).toUpperCase(), fee_minor: fee, balance_transaction: str(txn.id)! }, ref(event)));
  return { status: 'processed', keys: linked?.booking_id ? [linked.booking_id] : [] };
}

export async function onRefund({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const re = objectOf(payload, event.source);
  const b = await requireBookingOf(db, re);
  const refund_id = str(re.id)!;
  const decision_id = str((re.metadata as Obj | undefined)?.decision_id);
  await linkStripeObject(db, { object_id: refund_id, kind: 'refund', booking_id: b.booking_id, inbox_id: event.id, data: { amount: re.amount, decision_id: decision_id ?? null } });
  if (!decision_id) {
    throw new RefuseEvent('validation_failed', `refund ${refund_id} was not made by a policy decision of this system: refunds are made by policy only`, b.booking_id, 'refund_outside_policy');
  }
  const status = str(re.status);
  if (status === 'succeeded') {
    const posted = await postEntryIntent(db, refundSettledEntry(b, { refund_id, amount_minor: int(re.amount) }, ref(event, decision_id)));
    if (!posted?.replayed && (b.state === 'refund_pending' || b.state === 'refund_failed')) await transition(db, b, 'refund_succeeded', event.id, event.occurred_at);
    return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : undefined, keys: [b.booking_id] };
  }
  if (status === 'failed' || status === 'canceled') {
    // A refund can fail after it succeeded: the money came back to the platform, so the entry is reversed.
    const paid = await readEntry(db, { idempotency_key: `refund:${refund_id}` });
    if (paid && !(await readEntry(db, { idempotency_key: `refund_failed:${refund_id}` }))) {
      await reverseEntry(db, { seq: paid.seq, idempotency_key: `refund_failed:${refund_id}`, occurred_at: event.occurred_at, reason: `refund ${refund_id} ${status} after it succeeded`, meta: { event_id: `${event.source}:${event.event_id}`, inbox_id: event.id } });
    }
    if (b.state === 'refund_pending' || b.state === 'refunded') await transition(db, b, 'refund_failed', event.id, event.occurred_at);
    await flagBooking(db, b.booking_id, event.id, 'refund_failed', `refund ${refund_id} ${status}: ${String(re.failure_reason ?? 'no reason given')}`);
    return { status: 'processed', code: 'refund_failed', reason: String(re.failure_reason ?? status), keys: [b.booking_id] };
  }
  return { status: 'ignored', code: `refund_${status ?? 'unknown'}`, reason: 'posted when the refund succeeds', keys: [b.booking_id] };
}

export async function onChargeRefunded({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const ch = objectOf(payload, event.source);
  const b = await requireBookingOf(db, ch);
  // Since API 2022-11-15 a charge no longer lists its refunds: each refund is posted from its own events.
  return { status: 'ignored', code: 'reported_by_refund_events', reason: `charge shows ${int(ch.amount_refunded)} refunded; refunds post from refund events`, keys: [b.booking_id] };
}

export async function onTransfer({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const tr = objectOf(payload, event.source);
  const b = await requireBookingOf(db, tr);
  const transfer_id = str(tr.id)!;
  const metadata = (tr.metadata ?? {}) as Obj;
  if (!str(metadata.decision_id)) throw new RefuseEvent('validation_failed', `transfer ${transfer_id} was not made by a payout decision of this system`, b.booking_id, 'transfer_outside_policy');
  await linkStripeObject(db, { object_id: transfer_id, kind: 'transfer', booking_id: b.booking_id, inbox_id: event.id, data: { amount: tr.amount, destination: tr.destination } });
  const deduction = Number(metadata.deduction_minor ?? 0);
  const posted = await postHostTransfer(db, b, { transfer_id, amount_minor: int(tr.amount), deduction_minor: Number.isSafeInteger(deduction) ? deduction : 0 }, ref(event, str(metadata.decision_id)));
  if (!posted?.replayed && b.state === 'payout_pending') await transition(db, b, 'confirm_payout', event.id, event.occurred_at);
  if (!posted?.replayed) await requestRecoveries(db, b.booking_id, event.id);
  const reversals = ((tr.reversals as { data?: Obj[] } | undefined)?.data ?? []);
  for (const r of reversals) await postReversal(db, b, r, event);
  return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : undefined, keys: [b.booking_id] };
}

async function postReversal(db: Trx, b: BookingRecord, r: Obj, event: HandlerContext['event']) {
  await linkStripeObject(db, { object_id: str(r.id)!, kind: 'transfer_reversal', booking_id: b.booking_id, inbox_id: event.id, data: { amount: r.amount, transfer: r.transfer } });
  return postEntryIntent(db, transferReversalEntry(b, { reversal_id: str(r.id)!, amount_minor: int(r.amount) }, ref(event, str((r.metadata as Obj | undefined)?.decision_id))));
}

export async function onTransferReversal({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const r = objectOf(payload, event.source);
  const b = await requireBookingOf(db, r);
  const posted = await postReversal(db, b, r, event);
  return { status: posted?.replayed ? 'ignored' : 'processed', keys: [b.booking_id] };
}

export async function onSubscription({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const sub = objectOf(payload, event.source);
  const account = str((sub.metadata as Obj | undefined)?.host_account);
  if (!account) return { status: 'ignored', code: 'no_host_account', reason: 'subscription without metadata.host_account' };
  await recordSubscriptionState(db, { stripe_account_id: account, status: String(sub.status), inbox_id: event.id });
  return { status: 'processed', keys: [`acct:${account}`] };
}


/**
 * A card dispute: every balance transaction it carries (withdrawal with fee, reinstatement) is
 * posted once; when it closes, the dispute policy says who bears the amount (if lost) and the fee,
 * and the host's share is recovered with a transfer reversal.
 */
export async function onDispute({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const dp = objectOf(payload, event.source);
  const b = await requireBookingOf(db, dp);
  const dispute_id = str(dp.id)!;
  const facts = disputeFactsOf(dp);
  await linkStripeObject(db, { object_id: dispute_id, kind: 'dispute', booking_id: b.booking_id, inbox_id: event.id, data: { amount: dp.amount, charge: dp.charge, ...(facts ? { reason: facts.reason, status: facts.status, currency: facts.currency, due_by: facts.due_by } : {}) } });
  let fee_minor = 0;
  for (const txn of ((dp.balance_transactions ?? []) as Obj[])) {
    if (typeof txn !== 'object' || !str(txn.id)) continue;
    if (int(txn.amount) < 0) fee_minor += int(txn.fee);
    await postEntryIntent(db, disputeMovementEntry(b, { balance_transaction: str(txn.id)!, amount_minor: int(txn.amount), fee_minor: int(txn.fee) }, ref(event)));
  }
  if (event.type !== 'charge.dispute.closed') {
    await contestDispute({ db, event, payload }, b, dp); // issue #12: answered by the evidence we hold
    return { status: 'processed', keys: [b.booking_id] };
  }
  // lost: the amount stays withdrawn; won (or an inquiry closed with a warning): only the fee may.
  const status = dp.status === 'lost' ? 'lost' : 'won';
  const dispute = await pinnedPolicy(db, b.policies.dispute);
  const money = await bookingMoney(db, b.booking_id);
  const host_paid_out_minor = Math.max(0, money.host_paid_out_minor - money.host_recovered_minor);
  const liability = disputeLiability({ dispute, status, currency: b.currency, disputed_minor: int(dp.amount), dispute_fee_minor: fee_minor, host_paid_out_minor });
  const decision_id = decisionIdFor(event.source, event.event_id, `dispute_${status}`);
  const outcome = { host_bears: liability.host_bears, platform_bears: liability.platform_bears, explanation: liability.explanation };
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: `dispute_${status}`, actor: null,
    policy: ruleRefOf(dispute).policy, policy_version: dispute.version, policy_hash: dispute.hash,
    input: { dispute_id, status, disputed_minor: int(dp.amount), dispute_fee_minor: fee_minor, host_paid_out_minor, currency: b.currency, policies: { dispute: ruleRefOf(dispute) } },
    allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  await postEntryIntent(db, disputeClosedEntry(b, { dispute_id, status, host_bears: liability.host_bears, platform_bears: liability.platform_bears }, { ...ref(event, decision_id), decision_id }));
  if (status === 'won') return { status: 'processed', keys: [b.booking_id] };
  if (liability.host_bears > 0) {
    const transfer = (await stripeObjectsOfBooking(db, b.booking_id, 'transfer'))[0];
    if (transfer) {
      await addIntent(db, {
        intent_id: intentIdFor('transfer_reversal', decision_id), decision_id, booking_id: b.booking_id, operation: 'transfer_reversal', inbox_id: event.id,
        params: { transfer_id: transfer.object_id, amount: liability.host_bears, metadata: { booking_id: b.booking_id, decision_id } },
      });
    }
  }
  await flagBooking(db, b.booking_id, event.id, 'dispute_lost', `dispute ${dispute_id} lost: host bears ${liability.host_bears}, platform ${liability.platform_bears}`);
  return { status: 'processed', keys: [b.booking_id] };
}
