import { DomainError, hashOf } from '../../kernel/index.js';
import type { BookingFactsData, BookingRecord, PinnedPolicies } from '../../flows/booking/store.js';
import { cancellationAccounts, cancellationEntries, creditsEarnedEntry, creditsRedeemedEntry } from '../../flows/booking/entries.js';
import type { BookingMoney } from '../../flows/booking/money-view.js';
import { chart } from '../../flows/vocabulary.js';
import { decisionIdFor } from '../../flows/evidence/decisions.js';
import { intentIdFor } from '../../flows/outbox/intents.js';
import { consentHash, creditsExpireAt, decideCancellation, loyaltyEarn, ruleRefOf, settleCancellation, type Decision } from '../../nora/index.js';
import type { BookingCancelRequested, BookingConfirmed, BookingModified, HostConnected } from '../../sari/booking-events.js';
import { factsOf } from '../booking-facts.js';
import { ParkEvent, ref } from '../context.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';
import { requestRecoveries } from '../recoveries.js';
import { announceCreditEarned } from '../announce.js';

/** The policy kinds every booking is pinned to at confirmation; only cancellation varies by booking. */
export const PINNED_KINDS = ['cancellation', 'host_cancellation', 'fees', 'payout_timing', 'loyalty', 'payout_hold', 'dispute', 'modification'] as const;

const OPTIONAL_PINS = new Set<string>(['modification']);

export function pinPolicies(state: HandlerState, cancellation_policy: string): PinnedPolicies {
  const pinned: PinnedPolicies = {};
  for (const kind of PINNED_KINDS) {
    const id = kind === 'cancellation' ? cancellation_policy : 'standard';
    const v = state.currentPolicy(kind, id);
    // A log made before the modification policy existed (issue #12) must still replay: such a
    // booking pins none, and a change is decided by the version current then (named in its decision).
    if (!v && OPTIONAL_PINS.has(kind)) continue;
    if (!v) throw new DomainError('unknown_policy', `no published ${kind} policy ${id}`, { field: kind === 'cancellation' ? 'data.cancellation_policy' : kind });
    pinned[kind] = v;
  }
  return pinned;
}

/** The booking's policies a cancellation reads. */
export function cancellationPoliciesOf(state: HandlerState, b: BookingRecord) {
  return { cancellation: state.policy(b.policies.cancellation), host_cancellation: state.policy(b.policies.host_cancellation), fees: state.policy(b.policies.fees), loyalty: state.policy(b.policies.loyalty) };
}

export const onBookingConfirmed: DecisionHandler = (state, event) => {
  const data = event.payload.data as BookingConfirmed;
  if (state.booking(data.booking_id)) return { status: 'ignored', code: 'already_confirmed', reason: `booking ${data.booking_id} was confirmed by an earlier event` };
  const policies = pinPolicies(state, data.cancellation_policy);
  const facts: BookingFactsData = { ...data, check_in_time: data.check_in_time ?? '15:00' };
  if (!facts.credits_redeemed) delete facts.credits_redeemed;
  const credits = facts.credits_redeemed ?? 0;
  if (credits > 0) {
    const balance = state.balance(chart.guestCredits(data.guest_id));
    if (balance < credits) throw new DomainError('validation_failed', `guest ${data.guest_id} has ${balance} credits, ${credits} were redeemed`, { field: 'data.credits_redeemed' });
  }
  state.effects.add('bookings', { booking_id: data.booking_id, inbox_id: event.id, facts, confirmed_at: event.occurred_at, policies });
  state.effects.transition(data.booking_id, 'confirm', event.id, event.occurred_at);
  if (credits > 0) {
    useCredits(state, data.guest_id, data.booking_id, credits, event.id);
    state.effects.post(creditsRedeemedEntry({ guest_id: data.guest_id, booking_id: data.booking_id, credits }, ref(event)));
  }
  return { status: 'processed', keys: [data.booking_id, `pi:${data.payment_intent_id}`] };
};

/** Takes `credits` from the guest's lots, soonest-expiring first. The caller checked the balance. */
function useCredits(state: HandlerState, guest_id: string, booking_id: string, credits: number, inbox_id: number): void {
  let left = credits;
  for (const lot of state.openLots(guest_id)) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining);
    state.effects.add('creditUses', { lot_id: lot.lot_id, booking_id, credits: take, inbox_id });
    left -= take;
  }
  if (left !== 0) throw new Error(`invariant violated: ${left} credits could not be taken from the lots of ${guest_id}`);
}

export function requireBooking(state: HandlerState, booking_id: string): BookingRecord {
  const b = state.booking(booking_id);
  if (!b) throw new ParkEvent('booking_not_confirmed', `booking ${booking_id} has not been confirmed yet`);
  return b;
}

export const onCancelRequested: DecisionHandler = (state, event) => {
  const data = event.payload.data as BookingCancelRequested;
  const b = requireBooking(state, data.booking_id);
  const money = state.money(b.booking_id);
  const facts = factsOf(b, money);
  const policies = cancellationPoliciesOf(state, b);
  const decision = decideCancellation({ policies, facts, by: data.by, at: event.occurred_at });
  const consent_hash = consentHash({ booking_id: b.booking_id, action: 'cancel', outcome_hash: data.consent.outcome_hash, actor: data.consent.actor, consented_at: data.consent.consented_at });
  const decision_id = decisionIdFor(event.source, event.event_id, 'cancel');
  const consentMatches = data.consent.outcome_hash === decision.outcome_hash;
  const allowed = decision.allowed && consentMatches;
  const reason = !decision.allowed ? decision.reason ?? 'refused' : !consentMatches ? 'outcome_changed' : null;
  state.effects.decision({
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
  executeCancellation(state, b, decision, decision_id, event, money);
  return { status: 'processed', keys: [b.booking_id] };
};

function executeCancellation(state: HandlerState, b: BookingRecord, d: Decision, decision_id: string, event: DispatchEvent, money: BookingMoney): void {
  const o = d.outcome;
  const paid = money.paid_minor > 0;
  state.effects.transition(b.booking_id, paid && o.refund_to_guest > 0 ? 'cancel_with_refund' : 'cancel', event.id, event.occurred_at);
  const c = b.currency;
  const held = { host_share: state.balance(chart.hostShare(b.booking_id, c)), platform_fees: state.balance(chart.platformFees(b.booking_id, c)), taxes: state.balance(chart.bookingTaxes(b.booking_id, c)) };
  const settlement = settleCancellation(o, { paid, split: money.payment_split, held, transfer_in_flight: money.transfer_in_flight_minor });
  state.effects.openAccounts(cancellationAccounts(b), event.occurred_at);
  for (const e of cancellationEntries(b, settlement, { ...ref(event, decision_id), decision_id })) state.effects.post(e);
  if (paid && o.refund_to_guest > 0) {
    state.effects.add('intents', {
      intent_id: intentIdFor('refund', decision_id), decision_id, booking_id: b.booking_id, operation: 'refund', inbox_id: event.id,
      params: { payment_intent: b.payment_intent_id, amount: o.refund_to_guest, currency: b.currency.toLowerCase(), metadata: { booking_id: b.booking_id, decision_id } },
    });
  }
  // With the transfer still in flight the reversal waits for it: onTransfer asks for it then.
  if (o.host_recovery > 0) requestRecoveries(state, b.booking_id, event.id);
  if (o.credit_to_guest > 0) {
    const lot_id = `lot:${decision_id}`;
    const expires_at = creditsExpireAt({ loyalty: state.policy(b.policies.loyalty), earned_at: event.occurred_at });
    state.effects.add('creditLots', { lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: o.credit_to_guest, earned_at: event.occurred_at, expires_at, inbox_id: event.id });
    const posted = state.effects.post(creditsEarnedEntry({ lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: o.credit_to_guest, reason: 'host cancelled the booking' }, ref(event, decision_id)));
    announceCreditEarned(state, event, { posted, booking_id: b.booking_id, guest_id: b.guest_id, lot_id, credits: o.credit_to_guest, expires_at, reason: 'host cancelled the booking', rule: d.rule, decision_id });
  }
}

export const onCheckedIn: DecisionHandler = (state, event) => {
  const b = requireBooking(state, (event.payload.data as { booking_id: string }).booking_id);
  // The guest may be in before Stripe's webhook is: wait for the payment rather than refuse.
  if (b.state === 'awaiting_payment') throw new ParkEvent('awaiting_payment', `booking ${b.booking_id} checked in before its payment arrived`);
  state.effects.transition(b.booking_id, 'check_in', event.id, event.occurred_at);
  return { status: 'processed', keys: [b.booking_id] };
};

export const onCompleted: DecisionHandler = (state, event) => {
  const b = requireBooking(state, (event.payload.data as { booking_id: string }).booking_id);
  state.effects.transition(b.booking_id, 'complete', event.id, event.occurred_at);
  const money = state.money(b.booking_id);
  const loyalty = state.policy(b.policies.loyalty);
  const facts = factsOf(b, money); // as it was before completing: the decision reads the stay as it ended
  const earned = loyaltyEarn({ loyalty, facts, nightly_kept: b.facts.nightly_total, completed_at: event.occurred_at });
  const decision_id = decisionIdFor(event.source, event.event_id, 'loyalty_earn');
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'loyalty_earn', actor: null,
    policy: ruleRefOf(loyalty).policy, policy_version: loyalty.version, policy_hash: loyalty.hash,
    input: { facts, nightly_kept: b.facts.nightly_total, completed_at: event.occurred_at, policies: { loyalty: ruleRefOf(loyalty) } }, allowed: true, reason: null,
    outcome: earned, outcome_hash: hashOf(earned), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (earned.credits > 0) {
    const lot_id = `lot:${b.booking_id}:stay`;
    state.effects.add('creditLots', { lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: earned.credits, earned_at: event.occurred_at, expires_at: earned.expires_at, inbox_id: event.id });
    const posted = state.effects.post(creditsEarnedEntry({ lot_id, guest_id: b.guest_id, booking_id: b.booking_id, credits: earned.credits, reason: `stay ${b.booking_id} completed` }, ref(event, decision_id)));
    announceCreditEarned(state, event, { posted, booking_id: b.booking_id, guest_id: b.guest_id, lot_id, credits: earned.credits, expires_at: earned.expires_at, reason: `stay ${b.booking_id} completed`, rule: ruleRefOf(loyalty), decision_id });
  }
  return { status: 'processed', keys: [b.booking_id] };
};

export const onHostConnected: DecisionHandler = (state, event) => {
  const data = event.payload.data as HostConnected;
  if (state.hostConnectedAccount(data.host_id) === data.stripe_account_id) return { status: 'ignored', code: 'already_connected', reason: 'the host is already connected to this account' };
  state.effects.add('hostConnections', { host_id: data.host_id, stripe_account_id: data.stripe_account_id, inbox_id: event.id, occurred_at: event.occurred_at });
  return { status: 'processed', keys: [`host:${data.host_id}`, `acct:${data.stripe_account_id}`] };
};
