import type { BookingRecord } from '../../flows/booking/store.js';
import { outsidePolicyEntry } from '../../flows/booking/entries.js';
import { ref, type HandlerResult } from '../context.js';
import type { DispatchEvent, HandlerState } from '../handler-shape.js';

/**
 * Money is posted only against an intent or a reality (issue #13). A refund or transfer Stripe
 * reports posts against the decision it names only when that decision was recorded for this
 * booking and intended it: a refund (`outcome.refund_to_guest`) or a payout (`outcome.amount_minor`)
 * at least this large, in this currency. Anything else is a real movement outside policy — a refund
 * made in the Stripe Dashboard, a forged or excessive `decision_id` — posted to the suspense account
 * (the ledger reflects the bank), the booking flagged `movement_outside_policy`, the result coded so
 * dispatch metrics see it, and listed at `GET /suspense`. Never dropped, never a policy outcome.
 */
type Obj = Record<string, unknown>;

const INTENDED_FIELD = { refund: 'refund_to_guest', transfer: 'amount_minor' } as const;

/** Why this Stripe object is not what the decision it names intended, or null when it is. */
export function notIntended(state: HandlerState, b: BookingRecord, operation: 'refund' | 'transfer', o: Obj, decision_id: string | undefined): string | null {
  if (!decision_id) return 'names no decision of this system (made outside it, e.g. in the Stripe Dashboard)';
  const decision = state.decisionsOfBooking(b.booking_id).find((d) => d.decision_id === decision_id);
  if (!decision) return `names decision ${decision_id}, which was never recorded for booking ${b.booking_id}`;
  // A cancellation's decision records the whole preview ({rule, outcome: {refund_to_guest, …}}); a payout's is flat.
  const recorded = (decision.outcome ?? {}) as Obj;
  const outcome = (recorded.outcome !== null && typeof recorded.outcome === 'object' ? recorded.outcome : recorded) as Obj;
  const intended = outcome[INTENDED_FIELD[operation]];
  if (typeof intended !== 'number' || intended <= 0) return `decision ${decision_id} (${decision.action}) intended no ${operation}`;
  const currency = typeof o.currency === 'string' ? o.currency.toUpperCase() : '';
  const decided = typeof outcome.currency === 'string' ? outcome.currency : b.currency;
  if (currency !== b.currency || currency !== decided) return `currency ${currency || '(none)'} is not the decided ${decided}`;
  const amount = typeof o.amount === 'number' ? o.amount : NaN;
  if (!(amount <= intended)) return `amount ${amount} exceeds the ${intended} decision ${decision_id} intended`;
  return null;
}

/** Posts the movement to suspense and flags the booking; the event is processed, coded as outside policy. */
export function postOutsidePolicy(state: HandlerState, event: DispatchEvent, b: BookingRecord, x: { object_id: string; object_kind: string; amount_minor: number; flow: 'out' | 'in'; reason: string }): HandlerResult {
  const posted = state.effects.post(outsidePolicyEntry({ ...x, booking_id: b.booking_id, currency: b.currency }, ref(event)));
  state.effects.add('flags', { booking_id: b.booking_id, inbox_id: event.id, code: 'movement_outside_policy', reason: `${x.object_kind} ${x.object_id} (${x.amount_minor}): ${x.reason}` });
  return { status: posted?.replayed ? 'ignored' : 'processed', code: 'movement_outside_policy', reason: `${x.object_kind} ${x.object_id} posted to suspense: ${x.reason}`, keys: [b.booking_id] };
}
