import { z } from 'zod';
import { isIsoUtc, MAX_AMOUNT_MINOR } from '../../kernel/index.js';
import { OUTBOUND_EVENT_TYPES, type OutboundEventType } from './catalogue.js';

/**
 * The `data` of every outbound event, as zod schemas: emitOutbound checks what it writes against
 * them, and scripts/gen-outbound-schemas.ts publishes them as schemas/outbound-events/*.json.
 * Amounts are integer minor units with their currency (credits: currency CREDIT, one per credit).
 */
const Id = z.string().min(1).max(191);
const IsoUtc = z.string().refine(isIsoUtc, 'an ISO 8601 UTC instant').meta({ format: 'date-time', description: 'an instant in UTC, ISO 8601 with Z' });
const Currency = z.string().regex(/^([A-Z]{3}|CREDIT)$/, 'ISO 4217 in upper case, or CREDIT for loyalty credits');
const Minor = z.number().int().min(0).max(MAX_AMOUNT_MINOR);
const SignedMinor = z.number().int().min(-MAX_AMOUNT_MINOR).max(MAX_AMOUNT_MINOR);

export const RuleRefSchema = z.strictObject({ policy: z.string().min(1), version: z.number().int().min(1), hash: z.string().regex(/^sha256:[0-9a-f]{64}$/) })
  .meta({ description: 'The policy version that decided the fact (as in a preview\'s rule)' });

const announced = {
  rule: RuleRefSchema.nullable().meta({ description: 'the rule that decided it; null when no policy decided it (Stripe reported it)' }),
  decision_id: Id.nullable().meta({ description: 'the recorded decision (GET /evidence/:decisionId), if any' }),
  entry_ids: z.array(Id).meta({ description: 'idempotency keys of the ledger entries this event announces (GET /ledger/entries?booking_id=)' }),
  amount_minor: SignedMinor.meta({ description: 'the amount of the fact, integer minor units of currency' }),
  currency: Currency,
};

export const OUTBOUND_DATA = {
  'payment.captured': z.strictObject({ ...announced, booking_id: Id, payment_intent_id: Id, host_share_minor: Minor, platform_fees_minor: Minor, taxes_minor: Minor })
    .meta({ description: 'The guest\'s payment was captured and posted: amount_minor received, split into the host\'s share, platform fees and taxes by the fees policy.' }),
  'refund.issued': z.strictObject({ ...announced, booking_id: Id, refund_id: Id })
    .meta({ description: 'A refund decided by policy succeeded at Stripe and is posted.' }),
  'refund.failed': z.strictObject({ ...announced, booking_id: Id, refund_id: Id, failure_reason: z.string() })
    .meta({ description: 'A refund failed or was cancelled at Stripe (after it succeeded, its entry is reversed). The booking is flagged.' }),
  'booking.balance_due': z.strictObject({ ...announced, booking_id: Id, due_at: IsoUtc })
    .meta({ description: 'A balance is owed on the booking by due_at (emitted by the balance/modification flow).' }),
  'payout.sent': z.strictObject({ ...announced, booking_id: Id, host_id: Id, transfer_id: Id.nullable(), deduction_minor: Minor })
    .meta({ description: 'The host\'s payout for the booking is posted: amount_minor transferred (transfer_id; null when all of it settled what the host owed), deduction_minor kept for penalties owed.' }),
  'payout.held': z.strictObject({ ...announced, booking_id: Id, host_id: Id, hold_code: z.string(), reason: z.string() })
    .meta({ description: 'A due payout is held (hold_code: e.g. no_connected_account, past_due); amount_minor waits in the booking.' }),
  'payout.released': z.strictObject({ ...announced, booking_id: Id, host_id: Id, released_from: z.string() })
    .meta({ description: 'A payout that was held is going out now (released_from: the hold code it was held by); payout.sent follows when the transfer posts.' }),
  'dispute.opened': z.strictObject({ ...announced, booking_id: Id, dispute_id: Id, charge_id: Id.nullable(), reason: z.string().nullable() })
    .meta({ description: 'The guest\'s card issuer opened a dispute for amount_minor.' }),
  'dispute.closed': z.strictObject({ ...announced, booking_id: Id, dispute_id: Id, status: z.enum(['won', 'lost']), host_bears_minor: Minor, platform_bears_minor: Minor })
    .meta({ description: 'The dispute closed; the dispute policy says who bears the amount (if lost) and the fee.' }),
  'subscription.past_due': z.strictObject({ ...announced, host_id: Id, subscription_id: Id.nullable() })
    .meta({ description: 'The host\'s subscription is past due (emitted by the subscriptions flow); payouts may be held by policy.' }),
  'subscription.restored': z.strictObject({ ...announced, host_id: Id, subscription_id: Id.nullable() })
    .meta({ description: 'The host\'s subscription is in good standing again (emitted by the subscriptions flow).' }),
  'credit.earned': z.strictObject({ ...announced, guest_id: Id, lot_id: Id, expires_at: IsoUtc, reason: z.string() })
    .meta({ description: 'The guest earned amount_minor loyalty credits (currency CREDIT), expiring at expires_at.' }),
  'credit.expired': z.strictObject({ ...announced, guest_id: Id, lot_id: Id })
    .meta({ description: 'amount_minor unused credits of a lot expired (currency CREDIT).' }),
  'reconciliation.mismatch': z.strictObject({ ...announced, object_id: Id, difference: z.string(), ledger_amount_minor: SignedMinor.nullable(), stripe_amount_minor: SignedMinor.nullable() })
    .meta({ description: 'Reconciliation found a named difference between the ledger and Stripe for object_id (emitted by the reconciliation flow).' }),
} satisfies Record<OutboundEventType, z.ZodType>;

export type OutboundDataOf<T extends OutboundEventType> = z.infer<(typeof OUTBOUND_DATA)[T]>;

export const OutboundEnvelopeSchema = z.strictObject({
  id: z.string().regex(/^evt_[0-9a-f]{32}$/).meta({ description: 'the event id, also the webhook-id header: dedupe by it' }),
  type: z.enum(OUTBOUND_EVENT_TYPES),
  occurred_at: IsoUtc.meta({ description: 'when the fact happened (the time of the event that caused it)' }),
  booking_id: Id.optional(),
  host_id: Id.optional(),
  seq: z.number().int().min(1).meta({ description: 'position in its booking\'s sequence (per host for host-only events), +1 each' }),
  data: z.record(z.string(), z.unknown()),
});
