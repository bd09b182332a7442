import type { Db } from '../db/connect.js';
import type { InboxEvent } from '../sari/inbox.js';
import type { BookingRecord, PolicyRef } from '../flows/booking/store.js';
import type { PostResult } from '../flows/ledger/index.js';
import { readDecision } from '../flows/evidence/decisions.js';
import { emitOutbound } from '../flows/outbound/emit.js';
import type { RuleRef } from '../flows/outbound/catalogue.js';

/**
 * The outbound events today's handlers announce (docs/events.md, "Outbound events"). Each is
 * written by emitOutbound in the handler's own transaction, so it commits with the ledger fact it
 * announces or not at all; a replayed posting announces nothing new.
 */
type Posted = PostResult | null | undefined;
const keysOf = (...posted: Posted[]): string[] => posted.filter((p): p is PostResult => !!p).map((p) => p.entry.idempotency_key);
const at = (event: InboxEvent) => ({ occurred_at: event.occurred_at, inbox_id: event.id });

export function ruleOfPinned(p: PolicyRef | undefined): RuleRef | null {
  return p ? { policy: `${p.kind}/${p.id}`, version: p.version, hash: p.hash } : null;
}

export async function ruleOfDecision(db: Db, decision_id: string | null | undefined): Promise<RuleRef | null> {
  if (!decision_id) return null;
  const d = await readDecision(db, decision_id);
  return d ? { policy: d.policy, version: Number(d.policy_version), hash: d.policy_hash } : null;
}

export async function announcePaymentCaptured(db: Db, event: InboxEvent, b: BookingRecord, x: { posted: Posted; amount_minor: number; host_share_minor: number; platform_fees_minor: number; taxes_minor: number; rule: RuleRef | null; decision_id: string }) {
  if (!x.posted || x.posted.replayed) return;
  await emitOutbound(db, {
    type: 'payment.captured', booking_id: b.booking_id, host_id: b.host_id, ...at(event),
    data: { booking_id: b.booking_id, payment_intent_id: b.payment_intent_id, amount_minor: x.amount_minor, currency: b.currency, host_share_minor: x.host_share_minor, platform_fees_minor: x.platform_fees_minor, taxes_minor: x.taxes_minor, rule: x.rule, decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

export async function announceRefundIssued(db: Db, event: InboxEvent, b: BookingRecord, x: { posted: Posted; refund_id: string; amount_minor: number; decision_id: string }) {
  if (!x.posted || x.posted.replayed) return;
  await emitOutbound(db, {
    type: 'refund.issued', booking_id: b.booking_id, host_id: b.host_id, ...at(event),
    data: { booking_id: b.booking_id, refund_id: x.refund_id, amount_minor: x.amount_minor, currency: b.currency, rule: await ruleOfDecision(db, x.decision_id), decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

/** Once per refund, however many events report its failure (the event id is derived from the refund). */
export async function announceRefundFailed(db: Db, event: InboxEvent, b: BookingRecord, x: { reversal: Posted; refund_id: string; amount_minor: number; failure_reason: string; decision_id: string }) {
  await emitOutbound(db, {
    type: 'refund.failed', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `refund_failed:${x.refund_id}`,
    data: { booking_id: b.booking_id, refund_id: x.refund_id, amount_minor: x.amount_minor, currency: b.currency, failure_reason: x.failure_reason, rule: await ruleOfDecision(db, x.decision_id), decision_id: x.decision_id, entry_ids: keysOf(x.reversal) },
  });
}

export async function announcePayoutSent(db: Db, event: InboxEvent, b: BookingRecord, x: { posted: Posted; transfer_id: string | null; amount_minor: number; deduction_minor: number; decision_id: string | null }) {
  if (!x.posted || x.posted.replayed) return;
  await emitOutbound(db, {
    type: 'payout.sent', booking_id: b.booking_id, host_id: b.host_id, ...at(event),
    data: { booking_id: b.booking_id, host_id: b.host_id, transfer_id: x.transfer_id, amount_minor: x.amount_minor, deduction_minor: x.deduction_minor, currency: b.currency, rule: await ruleOfDecision(db, x.decision_id), decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

/** A hold is not a posting: nothing moved, the host's share stays in the booking. Once per new hold row. */
export async function announcePayoutHeld(db: Db, event: InboxEvent, b: BookingRecord, x: { amount_minor: number; hold_code: string; reason: string; rule: RuleRef | null }) {
  await emitOutbound(db, {
    type: 'payout.held', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `hold:${event.id}:${x.hold_code}`,
    data: { booking_id: b.booking_id, host_id: b.host_id, amount_minor: x.amount_minor, currency: b.currency, hold_code: x.hold_code, reason: x.reason, rule: x.rule, decision_id: null, entry_ids: [] },
  });
}

export async function announcePayoutReleased(db: Db, event: InboxEvent, b: BookingRecord, x: { amount_minor: number; released_from: string; rule: RuleRef | null; decision_id: string }) {
  await emitOutbound(db, {
    type: 'payout.released', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `released:${x.decision_id}`,
    data: { booking_id: b.booking_id, host_id: b.host_id, amount_minor: x.amount_minor, currency: b.currency, released_from: x.released_from, rule: x.rule, decision_id: x.decision_id, entry_ids: [] },
  });
}

/** Once per dispute, from whichever of its events arrives first. */
export async function announceDisputeOpened(db: Db, event: InboxEvent, b: BookingRecord, x: { dispute_id: string; charge_id: string | null; amount_minor: number; reason: string | null; posted: Posted[] }) {
  await emitOutbound(db, {
    type: 'dispute.opened', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `dispute:${x.dispute_id}`,
    data: { booking_id: b.booking_id, dispute_id: x.dispute_id, charge_id: x.charge_id, amount_minor: x.amount_minor, currency: b.currency, reason: x.reason, rule: null, decision_id: null, entry_ids: keysOf(...x.posted) },
  });
}

export async function announceDisputeClosed(db: Db, event: InboxEvent, b: BookingRecord, x: { posted: Posted; dispute_id: string; status: 'won' | 'lost'; amount_minor: number; host_bears_minor: number; platform_bears_minor: number; rule: RuleRef | null; decision_id: string }) {
  await emitOutbound(db, {
    type: 'dispute.closed', booking_id: b.booking_id, host_id: b.host_id, ...at(event), key: `dispute_closed:${x.dispute_id}`,
    data: { booking_id: b.booking_id, dispute_id: x.dispute_id, status: x.status, amount_minor: x.amount_minor, currency: b.currency, host_bears_minor: x.host_bears_minor, platform_bears_minor: x.platform_bears_minor, rule: x.rule, decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

export async function announceCreditEarned(db: Db, event: InboxEvent, x: { posted: Posted; booking_id: string | null; guest_id: string; lot_id: string; credits: number; expires_at: string; reason: string; rule: RuleRef | null; decision_id: string | null }) {
  if (!x.posted || x.posted.replayed) return;
  await emitOutbound(db, {
    type: 'credit.earned', booking_id: x.booking_id, guest_id: x.guest_id, ...at(event),
    data: { guest_id: x.guest_id, lot_id: x.lot_id, amount_minor: x.credits, currency: 'CREDIT', expires_at: x.expires_at, reason: x.reason, rule: x.rule, decision_id: x.decision_id, entry_ids: keysOf(x.posted) },
  });
}

export async function announceCreditExpired(db: Db, event: InboxEvent, x: { posted: Posted; booking_id: string | null; guest_id: string; lot_id: string; credits: number }) {
  if (!x.posted || x.posted.replayed) return;
  await emitOutbound(db, {
    type: 'credit.expired', booking_id: x.booking_id, guest_id: x.guest_id, ...at(event),
    data: { guest_id: x.guest_id, lot_id: x.lot_id, amount_minor: x.credits, currency: 'CREDIT', rule: null, decision_id: null, entry_ids: keysOf(x.posted) },
  });
}
