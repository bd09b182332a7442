import { hashOf } from '../../kernel/index.js';
import type { BookingRecord } from '../../flows/booking/store.js';
import { chart } from '../../flows/vocabulary.js';
import { creditsExpiredEntry, offsetReturnedEntry } from '../../flows/booking/entries.js';
import { decisionIdFor } from '../../flows/evidence/decisions.js';
import { intentIdFor } from '../../flows/outbox/intents.js';
import { connectHold, payoutDueAt, payoutHold, ruleRefOf } from '../../nora/index.js';
import { factsOf } from '../booking-facts.js';
import { ref } from '../context.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';
import { postHostTransfer } from './stripe.js';
import { subscriptionHoldStatus } from '../subscription-facts.js';
import { subscriptionsOnTick } from '../subscription-clock.js';
import { redriveOnTick } from './outbox-redrive.js';
import { reconciliationOnTick } from '../reconciliation-clock.js';
import { announceCreditExpired, announcePayoutHeld, announcePayoutReleased, announcePayoutSent } from '../announce.js';
import type { RuleRef } from '../../flows/outbound/catalogue.js';

/** Everything scheduled up to the tick's occurred_at becomes due: host payouts, credit expiries. */
export const onClockTick: DecisionHandler = (state, event) => {
  // Subscriptions first: a hold dunning decides at this tick applies to this tick's payouts.
  const subs = subscriptionsOnTick(state, event);
  const keys: string[] = [...subs.keys];
  let payouts = 0;
  let holds = 0;
  for (const booking_id of state.bookingsAwaitingPayout(event.occurred_at)) {
    const b = state.booking(booking_id);
    if (!b) continue;
    const r = payoutIfDue(state, event, b);
    if (r === 'paid') payouts++;
    if (r === 'held') holds++;
    if (r !== 'not_due') keys.push(booking_id);
  }
  const expired = expireCredits(state, event);
  // Re-drive by policy (issue #12): rounds granted to failed outbound calls, or decided terminal.
  const redrive = redriveOnTick(state, event);
  keys.push(...redrive.keys);
  reconciliationOnTick(state, event);
  const did = payouts + holds + expired + subs.steps + subs.recognised + redrive.granted + redrive.terminal;
  const redriven = redrive.granted + redrive.terminal > 0 ? `, ${redrive.granted} outbound retr(ies), ${redrive.terminal} terminal` : '';
  return { status: did > 0 ? 'processed' : 'ignored', code: did > 0 ? undefined : 'nothing_due', reason: `${payouts} payout(s), ${holds} hold(s), ${expired} credit lot(s) expired, ${subs.steps} dunning step(s), ${subs.recognised} revenue recognition(s)${redriven}`, keys };
};

/** Records a hold, once per change of reason: a held payout is visible, never silently skipped (and announced). */
function recordHold(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { code: string; reason: string; amount_minor: number; rule: RuleRef | null }): void {
  if (state.latestHold(b.booking_id)?.code === x.code) return;
  state.effects.add('holds', { booking_id: b.booking_id, inbox_id: event.id, code: x.code, reason: x.reason });
  announcePayoutHeld(state, event, b, { amount_minor: x.amount_minor, hold_code: x.code, reason: x.reason, rule: x.rule });
}

function payoutIfDue(state: HandlerState, event: DispatchEvent, b: BookingRecord): 'not_due' | 'held' | 'paid' {
  if (b.state === 'refund_pending' || b.state === 'refund_failed') return 'not_due'; // settle the guest first
  const money = state.money(b.booking_id);
  const facts = factsOf(b, money);
  const timing = state.policy(b.policies.payout_timing);
  const due_at = payoutDueAt({ payout: timing, facts });
  if (due_at > event.occurred_at) return 'not_due';
  const amount = state.balance(chart.hostShare(b.booking_id, b.currency));
  // Nothing held at all (a cancellation settled it): no payout. A share of 0 with fees or taxes still
  // held is a payout of 0 — a dispute lost before it withheld the whole share — and earns them: they
  // stayed held for ever when it was skipped (simulation seed 2661; paid before the dispute, the same
  // booking earned them).
  const earnedAtPayout = state.balance(chart.platformFees(b.booking_id, b.currency)) > 0 || state.balance(chart.bookingTaxes(b.booking_id, b.currency)) > 0;
  if (amount < 0 || (amount === 0 && !earnedAtPayout)) return 'not_due';

  const account = state.hostConnectedAccount(b.host_id);
  const holdPolicy = state.policy(b.policies.payout_hold);
  const subscription_status = subscriptionHoldStatus(state.subscriptionRows(), b.host_id, () => state.hostSubscriptionStatus(account));
  const account_changed_at = state.hostAccountChangedAt(b.host_id);
  const hold = payoutHold({ hold: holdPolicy, host: { subscription_status, account_changed_at }, at: event.occurred_at });
  if (!account) {
    recordHold(state, event, b, { code: 'no_connected_account', reason: `host ${b.host_id} has no connected Stripe account (host.connected); the payout of ${amount} waits`, amount_minor: amount, rule: null });
    return 'held';
  }
  if (hold.held) {
    const why = hold.reason === 'new_payout_account'
      ? `the host's payout account changed to ${account} at ${account_changed_at}; a new account receives nothing until ${hold.until}`
      : `payouts to host ${b.host_id} are held (${hold.reason})`;
    recordHold(state, event, b, { code: hold.reason ?? 'held', reason: `${why} by ${ruleRefOf(holdPolicy).policy} v${holdPolicy.version}`, amount_minor: amount, rule: ruleRefOf(holdPolicy) });
    return 'held';
  }
  // Not attempted, not failed: held until an account.updated says the account can receive transfers (issue #12).
  const connect = connectHold(state.connectAccountState(account));
  if (connect.held) {
    recordHold(state, event, b, { code: connect.code, reason: `${connect.reason}; the payout of ${amount} waits`, amount_minor: amount, rule: null });
    return 'held';
  }
  const decision_id = decisionIdFor(event.source, event.event_id, 'payout', b.booking_id);
  // An offset undone after a payout deducted it (the invoice was paid by card first) is owed back:
  // the offset receivable below zero. This payout returns it — settled now, at the decision, so a
  // second payout of the same host at this tick does not return it again.
  const offsetBalance = state.balance(chart.hostOffsetReceivable(b.host_id, b.currency));
  const returned = Math.max(0, -offsetBalance);
  if (returned > 0) state.effects.post(offsetReturnedEntry(b, { decision_id, amount_minor: returned }, ref(event, decision_id)));
  // What the host owes is deducted: penalties first, then overdue subscription invoices offset by policy.
  const penalties = Math.max(0, state.balance(chart.hostPenalties(b.host_id, b.currency)));
  const offsets = Math.max(0, offsetBalance);
  const owed = penalties + offsets;
  const deduction = Math.min(amount, owed);
  const offset_minor = Math.max(0, deduction - penalties);
  const transfer_minor = amount - deduction + returned;
  // Stripe refuses a transfer above what its source_transaction can still fund (its amount less what
  // was transferred from it): after a price increase the share can exceed the first charge, so the
  // transfer names a charge only when one funds it whole, else it draws on the platform balance
  // (docs/money-flows.md, payout flow). One transfer per booking: reversals and recoveries stay simple.
  const charge = fundingCharge(state.stripeObjectsOfBooking(b.booking_id, 'charge'), transfer_minor);
  const outcome = {
    booking_id: b.booking_id, amount_minor: transfer_minor, deduction_minor: deduction, ...(offset_minor > 0 ? { subscription_offset_minor: offset_minor } : {}),
    ...(returned > 0 ? { subscription_offset_returned_minor: returned } : {}), currency: b.currency, destination: account, due_at,
  };
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'host_payout', actor: null,
    policy: ruleRefOf(timing).policy, policy_version: timing.version, policy_hash: timing.hash,
    input: { facts, host_share_minor: amount, penalties_owed_minor: owed, ...(returned > 0 ? { offset_owed_back_minor: returned } : {}), subscription_status, account_changed_at, at: event.occurred_at, policies: { payout_timing: ruleRefOf(timing), payout_hold: ruleRefOf(holdPolicy) } },
    allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (b.state === 'paid' || b.state === 'checked_in') state.effects.transition(b.booking_id, 'start_payout', event.id, event.occurred_at);
  const wasHeld = state.latestHold(b.booking_id);
  if (wasHeld) announcePayoutReleased(state, event, b, { amount_minor: transfer_minor, released_from: wasHeld.code, rule: ruleRefOf(holdPolicy), decision_id });
  if (transfer_minor === 0) {
    // Nothing to transfer (everything the host earned here goes to what they owe, or a lost dispute
    // withheld it all): settle it in the ledger — the deduction, the fees and taxes earned — no transfer.
    const posted = postHostTransfer(state, b, { transfer_id: `offset:${decision_id}`, amount_minor: 0, deduction_minor: deduction, offset_minor }, ref(event, decision_id));
    announcePayoutSent(state, event, b, { posted, transfer_id: null, amount_minor: 0, deduction_minor: deduction, decision_id });
    if (state.booking(b.booking_id)?.state === 'payout_pending') state.effects.transition(b.booking_id, 'confirm_payout', event.id, event.occurred_at);
    return 'paid';
  }
  // The deduction is settled in the ledger now, when it is decided, not when Stripe reports the
  // transfer: a late transfer.created let a second payout of the same host deduct the same penalty
  // again (simulation seed 189). The transfer then carries only the cash part.
  if (deduction > 0) postHostTransfer(state, b, { transfer_id: `offset:${decision_id}`, amount_minor: 0, deduction_minor: deduction, offset_minor }, ref(event, decision_id));
  state.effects.add('intents', {
    intent_id: intentIdFor('transfer', decision_id), decision_id, booking_id: b.booking_id, operation: 'transfer', inbox_id: event.id,
    params: {
      amount: transfer_minor, currency: b.currency.toLowerCase(), destination: account, transfer_group: b.booking_id,
      ...(charge ? { source_transaction: charge.object_id } : {}),
      // deduction_minor 0: the deduction was posted at the decision (above); `deducted_minor` tells a reader of the transfer why it is short.
      // (offset_minor too, for the reader: with deduction_minor 0 the transfer's entry posts no offset again.)
      metadata: { booking_id: b.booking_id, decision_id, deduction_minor: '0', ...(deduction > 0 ? { deducted_minor: String(deduction) } : {}), ...(offset_minor > 0 ? { offset_minor: String(offset_minor) } : {}), ...(returned > 0 ? { returned_minor: String(returned) } : {}) },
    },
  });
  return 'paid';
};

/** The first of the booking's charges whose amount covers the transfer whole, if any. */
export function fundingCharge<T extends { data: Record<string, unknown> }>(charges: T[], amount_minor: number): T | undefined {
  return charges.find((c) => typeof c.data.amount === 'number' && c.data.amount >= amount_minor);
}

function expireCredits(state: HandlerState, event: DispatchEvent): number {
  const lots = state.lotsExpiringBefore(event.occurred_at);
  for (const lot of lots) {
    const held = state.balance(chart.guestCredits(lot.guest_id));
    const credits = Math.min(lot.credits - state.usedFromLot(lot.lot_id), Math.max(0, held));
    state.effects.add('creditExpiries', { lot_id: lot.lot_id, inbox_id: event.id });
    if (credits > 0) {
      const posted = state.effects.post(creditsExpiredEntry({ lot_id: lot.lot_id, guest_id: lot.guest_id, credits }, ref(event)));
      announceCreditExpired(state, event, { posted, booking_id: lot.booking_id, guest_id: lot.guest_id, lot_id: lot.lot_id, credits });
    }
  }
  return lots.length;
}
