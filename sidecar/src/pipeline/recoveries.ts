import { getBooking, stripeObjectsOfBooking } from '../flows/booking/store.js';
import { decisionsOfBooking } from '../flows/evidence/decisions.js';
import { addIntent, intentIdFor } from '../flows/outbox/intents.js';
import type { Trx } from './context.js';

/**
 * Asks Stripe to reverse what executed decisions say the host must give back, once a transfer
 * exists to reverse. Called when such a decision executes and again when a transfer is confirmed,
 * so a cancellation decided while the payout was still in flight recovers exactly what it said.
 * Each decision's reversal is one intent (its id derives from the decision): asking twice is harmless.
 */
export async function requestRecoveries(db: Trx, booking_id: string, inbox_id: number): Promise<void> {
  const transfer = (await stripeObjectsOfBooking(db, booking_id, 'transfer'))[0];
  if (!transfer || !(await getBooking(db, booking_id))) return;
  for (const d of await decisionsOfBooking(db, booking_id)) {
    if (!d.allowed || !d.action.startsWith('cancel_by_')) continue;
    const recovery = (d.outcome as { outcome?: { host_recovery?: number } }).outcome?.host_recovery ?? 0;
    if (recovery <= 0) continue;
    await addIntent(db, {
      intent_id: intentIdFor('transfer_reversal', d.decision_id), decision_id: d.decision_id, booking_id, operation: 'transfer_reversal', inbox_id,
      params: { transfer_id: transfer.object_id, amount: recovery, metadata: { booking_id, decision_id: d.decision_id } },
    });
  }
}
