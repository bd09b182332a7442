/**
 * The outbound event catalogue (docs/events.md, "Outbound events"; JSON Schemas in
 * schemas/outbound-events/). One home for the names: a closed union, checked exhaustively.
 */
export const OUTBOUND_EVENT_TYPES = [
  'payment.captured', 'refund.issued', 'refund.failed', 'booking.balance_due',
  'payout.sent', 'payout.held', 'payout.released',
  'dispute.opened', 'dispute.closed',
  'subscription.past_due', 'subscription.restored',
  'credit.earned', 'credit.expired',
  'reconciliation.mismatch',
] as const;

export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

export function isOutboundEventType(s: string): s is OutboundEventType {
  return (OUTBOUND_EVENT_TYPES as readonly string[]).includes(s);
}

/** The rule that decided the fact: the same triple as a preview's `rule`. */
export type RuleRef = { policy: string; version: number; hash: string };

/**
 * What every event's `data` carries besides its own fields: the rule that decided it (null when
 * no policy decided it, e.g. Stripe reported a failure) and the ledger entries it announces, by
 * idempotency key (stable across processes and replays; GET /ledger/entries shows them).
 */
export type AnnouncedFacts = { rule: RuleRef | null; decision_id: string | null; entry_ids: string[] };

type Money = { amount_minor: number; currency: string };

/** The `data` of each type (the fields the JSON Schemas require). */
export type OutboundData = {
  'payment.captured': AnnouncedFacts & Money & { booking_id: string; payment_intent_id: string; host_share_minor: number; platform_fees_minor: number; taxes_minor: number };
  'refund.issued': AnnouncedFacts & Money & { booking_id: string; refund_id: string };
  'refund.failed': AnnouncedFacts & Money & { booking_id: string; refund_id: string; failure_reason: string };
  'booking.balance_due': AnnouncedFacts & Money & { booking_id: string; due_at: string };
  'payout.sent': AnnouncedFacts & Money & { booking_id: string; host_id: string; transfer_id: string | null; deduction_minor: number };
  'payout.held': AnnouncedFacts & Money & { booking_id: string; host_id: string; hold_code: string; reason: string };
  'payout.released': AnnouncedFacts & Money & { booking_id: string; host_id: string; released_from: string };
  'dispute.opened': AnnouncedFacts & Money & { booking_id: string; dispute_id: string; charge_id: string | null; reason: string | null };
  'dispute.closed': AnnouncedFacts & Money & { booking_id: string; dispute_id: string; status: 'won' | 'lost'; host_bears_minor: number; platform_bears_minor: number };
  'subscription.past_due': AnnouncedFacts & Money & { host_id: string; subscription_id: string | null };
  'subscription.restored': AnnouncedFacts & Money & { host_id: string; subscription_id: string | null };
  'credit.earned': AnnouncedFacts & Money & { guest_id: string; lot_id: string; expires_at: string; reason: string };
  'credit.expired': AnnouncedFacts & Money & { guest_id: string; lot_id: string };
  'reconciliation.mismatch': AnnouncedFacts & Money & { object_id: string; difference: string; ledger_amount_minor: number | null; stripe_amount_minor: number | null };
};

/** The envelope every endpoint receives (contract: Outbound events). */
export type OutboundEnvelope = {
  id: string;
  type: OutboundEventType;
  occurred_at: string;
  booking_id?: string;
  host_id?: string;
  seq: number;
  data: Record<string, unknown>;
};
