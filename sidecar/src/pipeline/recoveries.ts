import { intentIdFor } from '../flows/outbox/intents.js';
import type { HandlerState } from './handler-shape.js';

/**
 * Asks Stripe to reverse what executed decisions say the host must give back, once a transfer
 * exists to reverse. Called when such a decision executes and again when a transfer is confirmed,
 * so a cancellation decided while the payout was still in flight recovers exactly what it said.
 * Each decision's reversal is one intent (its id derives from the decision): asking twice is harmless.
 */
export function requestRecoveries(state: HandlerState, booking_id: string, inbox_id: number): void {
  const transfer = state.stripeObjectsOfBooking(booking_id, 'transfer')[0];
  if (!transfer || !state.booking(booking_id)) return;
  for (const d of state.decisionsOfBooking(booking_id)) {
    if (!d.allowed) continue;
    const recovery = recoveryOf(d.action, d.outcome);
    if (recovery <= 0) continue;
    state.effects.add('intents', {
      intent_id: intentIdFor('transfer_reversal', d.decision_id), decision_id: d.decision_id, booking_id, operation: 'transfer_reversal', inbox_id,
      params: { transfer_id: transfer.object_id, amount: recovery, metadata: { booking_id, decision_id: d.decision_id } },
    });
  }
}

/** What a decision says the host gives back by reversal: a cancellation's host_recovery, a lost dispute's host part not withheld from a pending payout. */
function recoveryOf(action: string, outcome: unknown): number {
  if (action.startsWith('cancel_by_')) return (outcome as { outcome?: { host_recovery?: number } }).outcome?.host_recovery ?? 0;
  if (action === 'dispute_lost') {
    const o = outcome as { host_bears?: number; withheld_from_payout?: number; reowed_minor?: number };
    return Math.max(0, (o.host_bears ?? 0) - (o.withheld_from_payout ?? 0) - (o.reowed_minor ?? 0));
  }
  return 0;
}
