import { DomainError } from '../../kernel/index.js';
import { appendRevision, getBooking, type BookingFactsData, type BookingRecord } from '../../flows/booking/store.js';
import { bookingMoney } from '../../flows/booking/money-view.js';
import { balancePaymentEntry, modificationRefundDueEntry } from '../../flows/booking/modification-postings.js';
import { postEntryIntent } from '../../flows/booking/postings.js';
import { currentPolicyVersion } from '../../flows/evidence/policy-versions.js';
import { decisionIdFor, decisionsOfBooking, recordDecision } from '../../flows/evidence/decisions.js';
import { addIntent, intentIdFor } from '../../flows/outbox/intents.js';
import { readEntries } from '../../flows/ledger/index.js';
import { KIND } from '../../flows/vocabulary.js';
import { consentHash, decideModification, policyVersionOf, ruleRefOf, type ModificationChanges, type ModificationDecision, type ModificationOutcome, type PolicyVersion } from '../../nora/index.js';
import type { BookingModified } from '../../sari/booking-events.js';
import { factsOf, pinnedPolicy } from '../booking-facts.js';
import { ParkEvent, ref, type HandlerContext, type HandlerResult, type Trx } from '../context.js';

/** The booking's pinned modification policy, or (bookings confirmed before it existed) the one current in the log. */
async function modificationPolicy(db: Trx, b: BookingRecord): Promise<PolicyVersion> {
  if (b.policies.modification) return pinnedPolicy(db, b.policies.modification);
  const current = await currentPolicyVersion(db, 'modification', 'standard');
  if (!current) throw new DomainError('unknown_policy', 'no modification policy is published');
  return policyVersionOf(current.document);
}

/** The decision a change would get now: shared by the preview and the event, so they cannot differ. */
export async function decideChange(db: Trx, b: BookingRecord, changes: ModificationChanges, at: string): Promise<ModificationDecision & { policy: PolicyVersion; fees: PolicyVersion; loyalty?: PolicyVersion }> {
  const money = await bookingMoney(db, b.booking_id);
  const facts = factsOf(b, money);
  const policy = await modificationPolicy(db, b);
  const fees = await pinnedPolicy(db, b.policies.fees);
  const loyalty = facts.credits_redeemed ? await pinnedPolicy(db, b.policies.loyalty) : undefined;
  const d = decideModification({ modification: policy, fees, ...(loyalty ? { loyalty } : {}), facts, changes, at });
  return { ...d, policy, fees, ...(loyalty ? { loyalty } : {}) };
}

/** Executed modification decisions of a booking whose balance due no payment has settled yet. */
export async function outstandingBalances(db: Trx, booking_id: string): Promise<Array<{ decision_id: string; outcome: ModificationOutcome }>> {
  const settled = new Set((await readEntries(db, { booking_id })).filter((e) => e.kind === KIND.balance_payment).map((e) => e.meta.decision_id));
  return (await decisionsOfBooking(db, booking_id))
    .filter((d) => d.action === 'modify' && d.allowed && !settled.has(d.decision_id))
    .map((d) => ({ decision_id: d.decision_id, outcome: (d.outcome as { outcome: ModificationOutcome }).outcome }))
    .filter((d) => d.outcome.balance_due > 0);
}

/**
 * booking.modified. Before payment the new facts simply replace the old (the payment must match
 * them). After payment a change of price moves money by the modification policy, only with the
 * consent of the previewed outcome: a decrease refunds exactly the difference, an increase records
 * a balance due that a later payment settles. Refused changes leave the booking as it was.
 */
export async function onBookingModified({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const data = payload.data as BookingModified;
  const b = await getBooking(db, data.booking_id);
  if (!b) throw new ParkEvent('booking_not_confirmed', `booking ${data.booking_id} has not been confirmed yet`);
  if (b.state !== 'awaiting_payment' && b.state !== 'paid') {
    throw new DomainError('illegal_transition', `cannot modify a booking that is ${b.state.replace(/_/g, ' ')}`, { from: b.state, action: 'modify' });
  }
  const { booking_id: _id, consent, ...changes } = data;
  const facts: BookingFactsData = { ...b.facts, ...changes } as BookingFactsData;
  if (facts.check_out <= facts.check_in) throw new DomainError('validation_failed', 'check_out must be after check_in', { field: 'data.check_out' });
  if (b.state !== 'paid') {
    await appendRevision(db, b, facts, event.id);
    return { status: 'processed', keys: [b.booking_id] };
  }
  const d = await decideChange(db, b, changes, event.occurred_at);
  if (!d.moves_money) {
    await appendRevision(db, b, facts, event.id);
    return { status: 'processed', code: 'no_money_moved', keys: [b.booking_id] };
  }
  const outstanding = await outstandingBalances(db, b.booking_id);
  const consentMatches = consent?.outcome_hash === d.outcome_hash;
  const reason = !d.allowed ? d.reason! : outstanding.length > 0 ? 'balance_due_outstanding' : !consent ? 'consent_required' : !consentMatches ? 'outcome_changed' : null;
  const allowed = reason === null;
  const decision_id = decisionIdFor(event.source, event.event_id, 'modify');
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'modify', actor: consent?.actor ?? null,
    policy: d.rule.policy, policy_version: d.rule.version, policy_hash: d.rule.hash,
    input: { facts: factsOf(b, await bookingMoney(db, b.booking_id)), changes, at: event.occurred_at, policies: { modification: ruleRefOf(d.policy), fees: ruleRefOf(d.fees), ...(d.loyalty ? { loyalty: ruleRefOf(d.loyalty) } : {}) }, consented_outcome_hash: consent?.outcome_hash ?? null, balance_due_outstanding: outstanding.length > 0 },
    allowed, reason,
    outcome: { allowed: d.allowed, reason: d.reason, rule: d.rule, outcome: d.outcome, outcome_hash: d.outcome_hash, explanation: d.explanation, executed: allowed },
    outcome_hash: d.outcome_hash,
    consent_hash: consent ? consentHash({ booking_id: b.booking_id, action: 'modify', outcome_hash: consent.outcome_hash, actor: consent.actor, consented_at: consent.consented_at }) : null,
    evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (!allowed) return { status: 'processed', code: reason!, reason: `modification refused: ${reason}`, keys: [b.booking_id] };
  await appendRevision(db, b, facts, event.id);
  const o = d.outcome;
  if (o.refund_to_guest > 0) {
    await postEntryIntent(db, modificationRefundDueEntry(b, { deltas: o.deltas, host_fee_delta: o.host_fee_delta, refund_to_guest: o.refund_to_guest }, { ...ref(event, decision_id), decision_id }));
    await addIntent(db, {
      intent_id: intentIdFor('refund', decision_id), decision_id, booking_id: b.booking_id, operation: 'refund', inbox_id: event.id,
      params: { payment_intent: b.payment_intent_id, amount: o.refund_to_guest, currency: b.currency.toLowerCase(), metadata: { booking_id: b.booking_id, decision_id } },
    });
  }
  return { status: 'processed', code: o.balance_due > 0 ? 'balance_due' : 'refund_of_difference', keys: [b.booking_id] };
}

/**
 * A payment_intent.succeeded naming a booking (metadata.booking_id) whose own payment it is not:
 * the payment of a balance due, if one of exactly this amount and currency is outstanding.
 * Returns null when it is not one (the caller refuses it as before).
 */
export async function settleBalanceDue(db: Trx, b: BookingRecord, pi: { id: string; amount_received: number; currency: string }, event: HandlerContext['event']): Promise<HandlerResult | null> {
  const due = (await outstandingBalances(db, b.booking_id)).find((d) => d.outcome.balance_due === pi.amount_received && d.outcome.currency === pi.currency.toUpperCase());
  if (!due) return null;
  const posted = await postEntryIntent(db, balancePaymentEntry(b, { payment_intent_id: pi.id, amount_minor: pi.amount_received, deltas: due.outcome.deltas, host_fee_delta: due.outcome.host_fee_delta }, { ...ref(event, due.decision_id), decision_id: due.decision_id }));
  return { status: posted?.replayed ? 'ignored' : 'processed', code: posted?.replayed ? 'already_posted' : 'balance_due_settled', keys: [b.booking_id, `pi:${pi.id}`] };
}
