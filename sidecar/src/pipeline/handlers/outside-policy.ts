import { flagBooking, type BookingRecord } from '../../flows/booking/store.js';
import { postEntryIntent } from '../../flows/booking/postings.js';
import { outsidePolicyEntry } from '../../flows/booking/entries.js';
import { readDecision } from '../../flows/evidence/decisions.js';
import { intentIdFor, intentsWithStatus, type OutboxOperation } from '../../flows/outbox/intents.js';
import { ref, type HandlerContext, type HandlerResult, type Trx } from '../context.js';

/**
 * Money is posted only against an intent or a reality (issue #13). A refund, transfer or reversal
 * Stripe reports posts against the decision and outbox intent it names only when they exist and
 * agree with it: same booking, same currency, an amount no larger than intended. Anything else is a
 * real movement outside policy — a refund made in the Stripe Dashboard, a forged or excessive
 * `decision_id` — and is posted to the suspense account (the ledger reflects the bank), the booking
 * flagged `movement_outside_policy`, the result coded so dispatch metrics and alerts see it, and
 * listed at `GET /suspense`. Never dropped, never counted as a policy outcome.
 */
type Obj = Record<string, unknown>;

/** Why this Stripe object is not what the decision it names intended, or null when it is. */
export async function notIntended(db: Trx, b: BookingRecord, operation: OutboxOperation, o: Obj, decision_id: string | undefined): Promise<string | null> {
  if (!decision_id) return 'names no decision of this system (made outside it, e.g. in the Stripe Dashboard)';
  const decision = await readDecision(db, decision_id);
  if (!decision) return `names decision ${decision_id}, which was never recorded`;
  if (decision.booking_id !== b.booking_id) return `names decision ${decision_id} of booking ${decision.booking_id ?? '(none)'}, not ${b.booking_id}`;
  const [intent] = await intentsWithStatus(db, { intent_ids: [intentIdFor(operation, decision_id)] });
  if (!intent) return `decision ${decision_id} intended no ${operation}`;
  const currency = typeof o.currency === 'string' ? o.currency.toUpperCase() : '';
  if (currency !== b.currency) return `currency ${currency || '(none)'} is not the booking's ${b.currency}`;
  const intended = typeof intent.params.amount === 'number' ? intent.params.amount : null;
  const amount = typeof o.amount === 'number' ? o.amount : NaN;
  if (intended !== null && !(amount <= intended)) return `amount ${amount} exceeds the ${intended} decision ${decision_id} intended`;
  return null;
}

/** Posts the movement to suspense and flags the booking; the event is processed, coded as outside policy. */
export async function postOutsidePolicy(db: Trx, ctx: Pick<HandlerContext, 'event'>, b: BookingRecord, x: { object_id: string; object_kind: string; amount_minor: number; flow: 'out' | 'in'; reason: string }): Promise<HandlerResult> {
  const posted = await postEntryIntent(db, outsidePolicyEntry({ ...x, booking_id: b.booking_id, currency: b.currency }, ref(ctx.event)));
  await flagBooking(db, b.booking_id, ctx.event.id, 'movement_outside_policy', `${x.object_kind} ${x.object_id} (${x.amount_minor}): ${x.reason}`);
  return { status: posted?.replayed ? 'ignored' : 'processed', code: 'movement_outside_policy', reason: `${x.object_kind} ${x.object_id} posted to suspense: ${x.reason}`, keys: [b.booking_id] };
}

export type OutsidePolicyRow = { seq: number; occurred_at: string; booking_id: string | null; object_kind: string; object_id: string; amount_minor: number; currency: string; direction: 'out' | 'in'; reason: string; event_id: string };
