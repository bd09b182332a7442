import { DomainError, hashOf } from '../../kernel/index.js';
import { appendRevision, flagBooking, getBooking, insertBooking, transition, hostConnectedAccount, type BookingFactsData, type BookingRecord, type PinnedPolicies } from '../../flows/booking/store.js';
import { bookingMoney, type BookingMoney } from '../../flows/booking/money-view.js';
import { heldIn, postEntryIntent, postEntryIntents } from '../../flows/booking/postings.js';
import { cancellationAccounts, cancellationEntries, creditsEarnedEntry, creditsRedeemedEntry } from '../../flows/booking/entries.js';
import { chart } from '../../flows/vocabulary.js';
import { currentPolicyRefs } from '../../flows/evidence/policy-versions.js';
import { decisionIdFor, recordDecision } from '../../flows/evidence/decisions.js';
import { addIntent, intentIdFor } from '../../flows/outbox/intents.js';
import { stripeObjectsOfBooking } from '../../flows/booking/store.js';
import { consentHash, creditsExpireAt, decideCancellation, loyaltyEarn, ruleRefOf, settleCancellation, type Decision } from '../../nora/index.js';
import type { BookingCancelRequested, BookingConfirmed, BookingModified, HostConnected } from '../../sari/booking-events.js';
import { cancellationPolicies, factsOf, pinnedPolicy } from '../booking-facts.js';
import { ParkEvent, ref, type HandlerContext, type HandlerResult, type Trx } from '../context.js';
import { requestRecoveries } from '../recoveries.js';
import { addCreditLot, useCredits } from '../../flows/booking/credits.js';
import { connectHost } from '../../flows/booking/hosts.js';

/** The policy kinds every booking is pinned to at confirmation; only cancellation varies by booking. */
export const PINNED_KINDS = ['cancellation', 'host_cancellation', 'fees', 'payout_timing', 'loyalty', 'payout_hold', 'dispute', 'modification'] as const;

export async function pinPolicies(db: Trx, cancellation_policy: string): Promise<PinnedPolicies> {
  const wanted = PINNED_KINDS.map((kind) => ({ kind, id: kind === 'cancellation' ? cancellation_policy : 'standard' }));
  const current = await currentPolicyRefs(db, wanted);
  const pinned: PinnedPolicies = {};
  for (const { kind, id } of wanted) {
    const v = current.get(`${kind}/${id}`);
    if (!v) throw new DomainError('unknown_policy', `no published ${kind} policy ${id}`, { field: kind === 'cancellation' ? 'data.cancellation_policy' : kind });
    pinned[kind] = v;
  }
  return pinned;
}

export async function onBookingConfirmed({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const data = payload.data as BookingConfirmed;
  const existing = await getBooking(db, data.booking_id);
  if (existing) return { status: 'ignored', code: 'already_confirmed', reason: `booking ${data.booking_id} was confirmed by an earlier event` };
  const policies = await pinPolicies(db, data.cancellation_policy);
  const facts: BookingFactsData = { ...data, check_in_time: data.check_in_time ?? '15:00' };
  if (!facts.credits_redeemed) delete facts.credits_redeemed;
  const credits = facts.credits_redeemed ?? 0;
  if (credits > 0) {
    const balance = await heldIn(db, chart.guestCredits(data.guest_id));
    if (balance < credits) throw new DomainError('validation_failed', `guest ${data.guest_id} has ${balance} credits, ${credits} were redeemed`, { field: 'data.credits_redeemed' });
  }
  await insertBooking(db, { booking_id: data.booking_id, inbox_id: event.id, facts, confirmed_at: event.occurred_at, policies });
  await transition(db, { booking_id: data.booking_id, state: 'none', transitions: [] }, 'confirm', event.id, event.occurred_at);
  if (credits > 0) {
    await useCredits(db, data.guest_id, data.booking_id, credits, event.id);
    await postEntryIntent(db, creditsRedeemedEntry({ guest_id: data.guest_id, booking_id: data.booking_id, credits }, ref(event)));
  }
  return { status: 'processed', keys: [data.booking_id, `pi:${data.payment_intent_id}`] };
}

async function requireBooking(db: Trx, booking_id: string): Promise<BookingRecord> {
  const b = await getBooking(db, booking_id);
  if (!b) throw new ParkEvent('booking_not_confirmed', `booking ${booking_id} has not been confirmed yet`);
  return b;
}

export async function onCancelRequested({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const data = payload.data as BookingCancelRequested;
  const b = await requireBooking(db, data.booking_id);
  const money = await bookingMoney(db, b.booking_id);
  const facts = factsOf(b, money);
  const policies = await cancellationPolicies(db, b);
  const decision = decideCancellation({ policies, facts, by: data.by, at: event.occurred_at });
  const consent_hash = consentHash({ booking_id: b.booking_id, action: 'cancel', outcome_hash: data.consent.outcome_hash, actor: data.consent.actor, consented_at: data.consent.consented_at });
  const decision_id = decisionIdFor(event.source, event.event_id, 'cancel');
  const consentMatches = data.consent.outcome_hash === decision.outcome_hash;
  const allowed = decision.allowed && consentMatches;
  const reason = !decision.allowed ? decision.reason ?? 'refused' : !consentMatches ? 'outcome_changed' : null;
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id,
    action: `cancel_by_${data.by}`, actor: data.consent.actor,
    policy: decision.rule.policy, policy_version: decision.rule.version, policy_hash: decision.rule.hash,
    input: { facts, by: data.by, at: event.occurred_at, policies: Object.fromEntries(Object.entries(policies).map(([k, v]) => [k, ruleRefOf(v)])), consented_outcome_hash: data.consent.outcome_hash },
    allowed, reason,
    outcome: { ...decision, executed: allowed },
    outcome_hash: decision.outcome_hash, consent_hash,
    evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (!allowed) {
    return { status: 'processed', code: reason!, reason: reason === 'outcome_changed'
      ? `refused: the outcome now is ${decision.outcome_hash}, the guest consented to ${data.consent.outcome_hash}`
      : `refused: ${reason}`, keys: [b.booking_id] };
  }
  await executeCancellation(db, b, decision, decision_id, event, money);
  return { status: 'processed', keys: [b.booking_id] };
}

async function executeCancellation(db: Trx, b: BookingRecord, d: Decision, decision_id: string, event: HandlerContext['event'], money: BookingMoney): Promise<void> {
  const o = d.outcome;
  const paid = money.paid_minor > 0;
  await transition(db, b, paid && o.refund_to_guest > 0 ? 'cancel_with_refund' : 'cancel', event.id, event.occurred_at);
  const c = b.currency;
  const [host_share, platform_fees, taxes] = await Promise.all([heldIn(db, chart.hostShare(b.booking_id, c)), heldIn(db, chart.platformFees(b.booking_id, c)), heldIn(db, chart.bookingTaxes(b.booking_id, c))]);
  const settlement = settleCancellation(o, { paid, split: money.payment_split, held: { host_share, platform_fees, taxes }, transfer_in_flight: money.transfer_in_flight_minor });
  await postEntryIntents(db, cancellationEntries(b, settlement, { ...ref(event, decision_id), decision_id }), { open: { accounts: cancellationAccounts(b), at: event.occurred_at } });
  if (paid && o.refund_to_guest > 0) {
    await addIntent(db, {
      intent_id: intentIdFor('refund', decision_id), decision_id, booking_id: b.booking_id, operation: 'refund', inbox_id: event.id,
      params: { payment_intent: b.payment_intent_id, amount: o.refund_to_guest, currency: b.currency.toLowerCase(), metadata: { booking_id: b.booking_id, decision_id } },
    });
  }
  // With the transfer still in flight the reversal waits for it: onTransfer asks for it then.
  if (o.host_recovery > 0) await requestRecoveries(db, b.booking_id, event.id);
  if (o.credit_to_guest > 0) {
    const lot_id = `lot:${decision_id}`;
    const loyalty = await pinnedPolicy(db, b.policies.loyalty);
    const expires_at = creditsExpireAt({ loyalty, earned_at: event.occurred_at });
    await addCreditLot(db, { lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: o.credit_to_guest, earned_at: event.occurred_at, expires_at, inbox_id: event.id });
    await postEntryIntent(db, creditsEarnedEntry({ lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: o.credit_to_guest, reason: 'host cancelled the booking' }, ref(event, decision_id)));
  }
}

export async function onCheckedIn({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const b = await requireBooking(db, (payload.data as { booking_id: string }).booking_id);
  // The guest may be in before Stripe's webhook is: wait for the payment rather than refuse.
  if (b.state === 'awaiting_payment') throw new ParkEvent('awaiting_payment', `booking ${b.booking_id} checked in before its payment arrived`);
  await transition(db, b, 'check_in', event.id, event.occurred_at);
  return { status: 'processed', keys: [b.booking_id] };
}

export async function onCompleted({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const b = await requireBooking(db, (payload.data as { booking_id: string }).booking_id);
  await transition(db, b, 'complete', event.id, event.occurred_at);
  const money = await bookingMoney(db, b.booking_id);
  const loyalty = await pinnedPolicy(db, b.policies.loyalty);
  const facts = factsOf(b, money);
  const earned = loyaltyEarn({ loyalty, facts, nightly_kept: b.facts.nightly_total, completed_at: event.occurred_at });
  const decision_id = decisionIdFor(event.source, event.event_id, 'loyalty_earn');
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'loyalty_earn', actor: null,
    policy: ruleRefOf(loyalty).policy, policy_version: loyalty.version, policy_hash: loyalty.hash,
    input: { facts, nightly_kept: b.facts.nightly_total, completed_at: event.occurred_at, policies: { loyalty: ruleRefOf(loyalty) } }, allowed: true, reason: null,
    outcome: earned, outcome_hash: hashOf(earned), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (earned.credits > 0) {
    const lot_id = `lot:${b.booking_id}:stay`;
    await addCreditLot(db, { lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: earned.credits, earned_at: event.occurred_at, expires_at: earned.expires_at, inbox_id: event.id });
    await postEntryIntent(db, creditsEarnedEntry({ lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: earned.credits, reason: `stay ${b.booking_id} completed` }, ref(event, decision_id)));
  }
  return { status: 'processed', keys: [b.booking_id] };
}

export async function onHostConnected({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const data = payload.data as HostConnected;
  const current = await hostConnectedAccount(db, data.host_id);
  if (current === data.stripe_account_id) return { status: 'ignored', code: 'already_connected', reason: 'the host is already connected to this account' };
  await connectHost(db, { host_id: data.host_id, stripe_account_id: data.stripe_account_id, inbox_id: event.id });
  return { status: 'processed', keys: [`host:${data.host_id}`] };
}

