import type { OutboundDataOf } from './schemas.js';

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

/** The `data` of each type: the zod schemas in schemas.ts are its one definition. */
export type OutboundData = { [T in OutboundEventType]: OutboundDataOf<T> };

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
