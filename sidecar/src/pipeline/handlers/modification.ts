import { DomainError, formatIsoUtc } from '../../kernel/index.js';
import type { BookingFactsData, BookingRecord } from '../../flows/booking/store.js';
import type { BookingMoney } from '../../flows/booking/money-view.js';
import { balancePaymentEntry, modificationRefundDueEntry } from '../../flows/booking/modification-postings.js';
import { decisionIdFor, type DecisionRecord } from '../../flows/evidence/decisions.js';
import { intentIdFor } from '../../flows/outbox/intents.js';
import type { JournalEntry } from '../../flows/ledger/index.js';
import { KIND } from '../../flows/vocabulary.js';
import { checkInMoment, consentHash, decideModification, ruleRefOf, type ModificationChanges, type ModificationDecision, type ModificationOutcome, type PolicyVersion } from '../../nora/index.js';
import type { BookingModified } from '../../sari/booking-events.js';
import { factsOf } from '../booking-facts.js';
import { ParkEvent, ref, type HandlerResult } from '../context.js';
import { announceBalanceDue } from '../announce.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';

/** What a modification decision reads: the booking, its money and its policies (from the batch state or, for the preview, the database). */
export type ChangeInputs = { b: BookingRecord; money: BookingMoney; modification: PolicyVersion; fees: PolicyVersion; loyalty?: PolicyVersion };

/** The decision a change would get now: shared by the preview and the event, so they cannot differ. */
export function decideChange(x: ChangeInputs, changes: ModificationChanges, at: string): ModificationDecision {
  const facts = factsOf(x.b, x.money);
  return decideModification({ modification: x.modification, fees: x.fees, ...(facts.credits_redeemed && x.loyalty ? { loyalty: x.loyalty } : {}), facts, changes, at });
}

/** Executed modification decisions of a booking whose balance due no payment has settled yet. */
export function outstandingBalances(entries: JournalEntry[], decisions: DecisionRecord[]): Array<{ decision_id: string; outcome: ModificationOutcome }> {
  const settled = new Set(entries.filter((e) => e.kind === KIND.balance_payment).map((e) => e.meta.decision_id));
  return decisions
    .filter((d) => d.action === 'modify' && d.allowed && !settled.has(d.decision_id))
    .map((d) => ({ decision_id: d.decision_id, outcome: (d.outcome as { outcome: ModificationOutcome }).outcome }))
    .filter((d) => d.outcome.balance_due > 0);
}

/** The booking's pinned modification policy, or (bookings confirmed before it existed) the one current in the log. */
function changeInputsOf(state: HandlerState, b: BookingRecord): ChangeInputs {
  const ref = b.policies.modification ?? state.currentPolicy('modification', 'standard');
  if (!ref) throw new DomainError('unknown_policy', 'no modification policy is published');
  const money = state.money(b.booking_id);
  const loyalty = factsOf(b, money).credits_redeemed ? state.policy(b.policies.loyalty) : undefined;
  return { b, money, modification: state.policy(ref), fees: state.policy(b.policies.fees), ...(loyalty ? { loyalty } : {}) };
}

/**
 * booking.modified. Before payment the new facts simply replace the old (the payment must match
 * them). After payment a change of price moves money by the modification policy, only with the
 * consent of the previewed outcome: a decrease refunds exactly the difference, an increase records
 * a balance due that a later payment settles. Refused changes leave the booking as it was.
 */
export const onBookingModified: DecisionHandler = (state, event) => {
  const data = event.payload.data as BookingModified;
  const b = state.booking(data.booking_id);
  if (!b) throw new ParkEvent('booking_not_confirmed', `booking ${data.booking_id} has not been confirmed yet`);
  if (b.state !== 'awaiting_payment' && b.state !== 'paid') {
    throw new DomainError('illegal_transition', `cannot modify a booking that is ${b.state.replace(/_/g, ' ')}`, { from: b.state, action: 'modify' });
  }
  const { booking_id: _id, consent, ...changes } = data;
  const facts: BookingFactsData = { ...b.facts, ...changes } as BookingFactsData;
  if (facts.check_out <= facts.check_in) throw new DomainError('validation_failed', 'check_out must be after check_in', { field: 'data.check_out' });
  const revise = () => state.effects.add('revisions', { booking_id: b.booking_id, revision: b.revision + 1, inbox_id: event.id, facts });
  if (b.state !== 'paid') {
    revise();
    return { status: 'processed', keys: [b.booking_id] };
  }
  const inputs = changeInputsOf(state, b);
  const d = decideChange(inputs, changes, event.occurred_at);
  if (!d.moves_money) {
    revise();
    return { status: 'processed', code: 'no_money_moved', keys: [b.booking_id] };
  }
  const outstanding = outstandingBalances(state.entriesOfBooking(b.booking_id), state.decisionsOfBooking(b.booking_id));
  const consentMatches = consent?.outcome_hash === d.outcome_hash;
  const reason = !d.allowed ? d.reason! : outstanding.length > 0 ? 'balance_due_outstanding' : !consent ? 'consent_required' : !consentMatches ? 'outcome_changed' : null;
  const allowed = reason === null;
  const decision_id = decisionIdFor(event.source, event.event_id, 'modify');
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'modify', actor: consent?.actor ?? null,
    policy: d.rule.policy, policy_version: d.rule.version, policy_hash: d.rule.hash,
    input: { facts: factsOf(b, inputs.money), changes, at: event.occurred_at, policies: { modification: ruleRefOf(inputs.modification), fees: ruleRefOf(inputs.fees), ...(inputs.loyalty ? { loyalty: ruleRefOf(inputs.loyalty) } : {}) }, consented_outcome_hash: consent?.outcome_hash ?? null, balance_due_outstanding: outstanding.length > 0 },
    allowed, reason,
    outcome: { allowed: d.allowed, reason: d.reason, rule: d.rule, outcome: d.outcome, outcome_hash: d.outcome_hash, explanation: d.explanation, executed: allowed },
    outcome_hash: d.outcome_hash,
    consent_hash: consent ? consentHash({ booking_id: b.booking_id, action: 'modify', outcome_hash: consent.outcome_hash, actor: consent.actor, consented_at: consent.consented_at }) : null,
    evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (!allowed) return { status: 'processed', code: reason!, reason: `modification refused: ${reason}`, keys: [b.booking_id] };
  revise();
  const o = d.outcome;
  if (o.refund_to_guest > 0) {
    state.effects.post(modificationRefundDueEntry(b, { deltas: o.deltas, host_fee_delta: o.host_fee_delta, refund_to_guest: o.refund_to_guest }, { ...ref(event, decision_id), decision_id }));
    state.effects.add('intents', {
      intent_id: intentIdFor('refund', decision_id), decision_id, booking_id: b.booking_id, operation: 'refund', inbox_id: event.id,
      params: { payment_intent: b.payment_intent_id, amount: o.refund_to_guest, currency: b.currency.toLowerCase(), metadata: { booking_id: b.booking_id, decision_id } },
    });
  }
  if (o.balance_due > 0) {
    // The guest owes the difference before the stay (changes move money only until the check-in moment).
    const due_at = formatIsoUtc(checkInMoment({ ...factsOf(b, inputs.money), ...changes }));
    announceBalanceDue(state, event, b, { amount_minor: o.balance_due, due_at, rule: d.rule, decision_id });
  }
  return { status: 'processed', code: o.balance_due > 0 ? 'balance_due' : 'refund_of_difference', keys: [b.booking_id] };
};

/**
 * A payment_intent.succeeded naming a booking (metadata.booking_id) whose own payment it is not:
 * the payment of a balance due, if one of exactly this amount and currency is outstanding.
 * Returns null when it is not one (the caller refuses it as before).
 */
export function settleBalanceDue(state: HandlerState, b: BookingRecord, pi: { id: string; amount_received: number; currency: string }, event: DispatchEvent): HandlerResult | null {
  const posted = state.entry(`payment:${pi.id}`);
  if (posted?.kind === KIND.balance_payment) return { status: 'ignored', code: 'already_posted', keys: [b.booking_id, `pi:${pi.id}`] };
  const due = outstandingBalances(state.entriesOfBooking(b.booking_id), state.decisionsOfBooking(b.booking_id)).find((d) => d.outcome.balance_due === pi.amount_received && d.outcome.currency === pi.currency.toUpperCase());
  if (!due) return null;
  const done = state.effects.post(balancePaymentEntry(b, { payment_intent_id: pi.id, amount_minor: pi.amount_received, deltas: due.outcome.deltas, host_fee_delta: due.outcome.host_fee_delta }, { ...ref(event, due.decision_id), decision_id: due.decision_id }));
  return { status: done?.replayed ? 'ignored' : 'processed', code: done?.replayed ? 'already_posted' : 'balance_due_settled', keys: [b.booking_id, `pi:${pi.id}`] };
}
