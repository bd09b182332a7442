import type { BookingRecord, PolicyRef } from '../flows/booking/store.js';
import type { PostResult } from '../flows/ledger/index.js';
import type { EmitInput } from '../flows/outbound/emit.js';
import type { OutboundEventType, RuleRef } from '../flows/outbound/catalogue.js';
import type { DispatchEvent, HandlerState } from './handler-shape.js';

/**
 * The outbound events today's handlers announce (docs/events.md, "Outbound events"). Each is an
 * `outbound` effect: written by emitOutbound with the batch, in the transaction that commits the
 * ledger fact it announces, or dropped with the event's other effects; a replayed posting
 * announces nothing new.
 */
function record<T extends OutboundEventType>(state: HandlerState, input: EmitInput<T>): void {
  state.effects.add('outbound', input as unknown as EmitInput<OutboundEventType>);
}

type Posted = PostResult | null | undefined;
const keysOf = (...posted: Posted[]): string[] => posted.filter((p): p is PostResult => !!p).map((p) => p.entry.idempotency_key);
const at = (event: DispatchEvent) => ({ occurred_at: event.occurred_at, inbox_id: event.id });

export function ruleOfPinned(p: PolicyRef | undefined): RuleRef | null {
  return p ? { policy: `${p.kind}/${p.id}`, version: p.version, hash: p.hash } : null;
}

export function ruleOfDecision(state: HandlerState, booking_id: string, decision_id: string | null | undefined): RuleRef | null {
  if (!decision_id) return null;
  const d = state.decisionsOfBooking(booking_id).find((x) => x.decision_id === decision_id);
  return d ? { policy: d.policy, version: Number(d.policy_version), hash: d.policy_hash } : null;
}

export function announcePaymentCaptured(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { posted: Posted; amount_minor: number; host_share_minor: number; platform_fees_minor: number; taxes_minor: number; rule: RuleRef | null; decision_id: string }) {
  if (!x.posted || x.posted.replayed) return;
  record(state, {
    type: 'payment.captured', booking_id: b.booking_id, host_id: b.host_id, ...at(event),
    data: { booking_id: b.booking_id, payment_intent_id: b.payment_intent_id, amount_minor: x.amount_minor, currency: b.currency, host_share_minor: x.host_share_minor, platform_fees_minor: x.platform_fees_minor, taxes_minor: x.taxes_minor, rule: x.rule, decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

export function announceRefundIssued(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { posted: Posted; refund_id: string; amount_minor: number; decision_id: string | null }) {
  if (!x.posted || x.posted.replayed) return;
  record(state, {
    type: 'refund.issued', booking_id: b.booking_id, host_id: b.host_id, ...at(event),
    data: { booking_id: b.booking_id, refund_id: x.refund_id, amount_minor: x.amount_minor, currency: b.currency, rule: ruleOfDecision(state, b.booking_id, x.decision_id), decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

/** Once per refund, however many events report its failure (the event id is derived from the refund). */
export function announceRefundFailed(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { reversal: Posted; refund_id: string; amount_minor: number; failure_reason: string; decision_id: string | null }) {
  record(state, {
    type: 'refund.failed', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `refund_failed:${x.refund_id}`,
    data: { booking_id: b.booking_id, refund_id: x.refund_id, amount_minor: x.amount_minor, currency: b.currency, failure_reason: x.failure_reason, rule: ruleOfDecision(state, b.booking_id, x.decision_id), decision_id: x.decision_id, entry_ids: keysOf(x.reversal) },
  });
}

export function announcePayoutSent(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { posted: Posted; transfer_id: string | null; amount_minor: number; deduction_minor: number; decision_id: string | null }) {
  if (!x.posted || x.posted.replayed) return;
  record(state, {
    type: 'payout.sent', booking_id: b.booking_id, host_id: b.host_id, ...at(event),
    data: { booking_id: b.booking_id, host_id: b.host_id, transfer_id: x.transfer_id, amount_minor: x.amount_minor, deduction_minor: x.deduction_minor, currency: b.currency, rule: ruleOfDecision(state, b.booking_id, x.decision_id), decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

/** A hold is not a posting: nothing moved, the host's share stays in the booking. Once per new hold row. */
export function announcePayoutHeld(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { amount_minor: number; hold_code: string; reason: string; rule: RuleRef | null }) {
  record(state, {
    type: 'payout.held', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `hold:${event.id}:${x.hold_code}`,
    data: { booking_id: b.booking_id, host_id: b.host_id, amount_minor: x.amount_minor, currency: b.currency, hold_code: x.hold_code, reason: x.reason, rule: x.rule, decision_id: null, entry_ids: [] },
  });
}

export function announcePayoutReleased(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { amount_minor: number; released_from: string; rule: RuleRef | null; decision_id: string }) {
  record(state, {
    type: 'payout.released', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `released:${x.decision_id}`,
    data: { booking_id: b.booking_id, host_id: b.host_id, amount_minor: x.amount_minor, currency: b.currency, released_from: x.released_from, rule: x.rule, decision_id: x.decision_id, entry_ids: [] },
  });
}

/** Once per dispute, from whichever of its events arrives first. */
export function announceDisputeOpened(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { dispute_id: string; charge_id: string | null; amount_minor: number; reason: string | null; posted: Posted[] }) {
  record(state, {
    type: 'dispute.opened', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `dispute:${x.dispute_id}`,
    data: { booking_id: b.booking_id, dispute_id: x.dispute_id, charge_id: x.charge_id, amount_minor: x.amount_minor, currency: b.currency, reason: x.reason, rule: null, decision_id: null, entry_ids: keysOf(...x.posted) },
  });
}

export function announceDisputeClosed(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { posted: Posted; dispute_id: string; status: 'won' | 'lost'; amount_minor: number; host_bears_minor: number; platform_bears_minor: number; rule: RuleRef | null; decision_id: string }) {
  record(state, {
    type: 'dispute.closed', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `dispute_closed:${x.dispute_id}`,
    data: { booking_id: b.booking_id, dispute_id: x.dispute_id, status: x.status, amount_minor: x.amount_minor, currency: b.currency, host_bears_minor: x.host_bears_minor, platform_bears_minor: x.platform_bears_minor, rule: x.rule, decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

export function announceCreditEarned(state: HandlerState, event: DispatchEvent, x: { posted: Posted; booking_id: string | null; guest_id: string; lot_id: string; credits: number; expires_at: string; reason: string; rule: RuleRef | null; decision_id: string | null }) {
  if (!x.posted || x.posted.replayed) return;
  record(state, {
    type: 'credit.earned', booking_id: x.booking_id, guest_id: x.guest_id, ...at(event),
    data: { guest_id: x.guest_id, lot_id: x.lot_id, amount_minor: x.credits, currency: 'CREDIT', expires_at: x.expires_at, reason: x.reason, rule: x.rule, decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

export function announceCreditExpired(state: HandlerState, event: DispatchEvent, x: { posted: Posted; booking_id: string | null; guest_id: string; lot_id: string; credits: number }) {
  if (!x.posted || x.posted.replayed) return;
  record(state, {
    type: 'credit.expired', booking_id: x.booking_id, guest_id: x.guest_id, ...at(event),
    data: { guest_id: x.guest_id, lot_id: x.lot_id, amount_minor: x.credits, currency: 'CREDIT', rule: null, decision_id: null, entry_ids: keysOf(x.posted) },
  });
}

/** A change after payment raised the price (issue #12): the difference is owed by due_at (the check-in moment), once per decision. */
export function announceBalanceDue(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { amount_minor: number; due_at: string; rule: RuleRef; decision_id: string }) {
  record(state, {
    type: 'booking.balance_due', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `balance_due:${x.decision_id}`,
    data: { booking_id: b.booking_id, amount_minor: x.amount_minor, currency: b.currency, due_at: x.due_at, rule: x.rule, decision_id: x.decision_id, entry_ids: [] },
  });
}
