import { DomainError } from '../../kernel/index.js';

/**
 * The booking money state machine. State is never stored as a field: it is the `to_state` of the
 * booking's last transition row; this table says which rows may be appended.
 */
export const BOOKING_STATES = [
  'awaiting_payment', 'paid', 'checked_in', 'payout_pending', 'paid_out', 'completed',
  'cancelled', 'refund_pending', 'refunded', 'refund_failed',
] as const;
export type BookingState = (typeof BOOKING_STATES)[number];
export type BookingAction = 'confirm' | 'pay' | 'refund_late_payment' | 'check_in' | 'start_payout' | 'confirm_payout' | 'complete' | 'cancel' | 'cancel_with_refund' | 'refund_succeeded' | 'refund_failed' | 'retry_refund';

const TRANSITIONS: Record<BookingAction, Partial<Record<BookingState | 'none', BookingState>>> = {
  confirm: { none: 'awaiting_payment' },
  pay: { awaiting_payment: 'paid' },
  refund_late_payment: { cancelled: 'refund_pending' },
  check_in: { paid: 'checked_in', payout_pending: 'payout_pending', paid_out: 'paid_out' },
  start_payout: { paid: 'payout_pending', checked_in: 'payout_pending' },
  confirm_payout: { payout_pending: 'paid_out', completed: 'completed' },
  complete: { checked_in: 'completed', payout_pending: 'completed', paid_out: 'completed', paid: 'completed' },
  cancel: { awaiting_payment: 'cancelled', paid: 'cancelled', checked_in: 'cancelled', payout_pending: 'cancelled', paid_out: 'cancelled' },
  cancel_with_refund: { paid: 'refund_pending', checked_in: 'refund_pending', payout_pending: 'refund_pending', paid_out: 'refund_pending' },
  refund_succeeded: { refund_pending: 'refunded', refund_failed: 'refunded' },
  refund_failed: { refund_pending: 'refund_failed', refunded: 'refund_failed' },
  retry_refund: { refund_failed: 'refund_pending' },
};

/** The state after `action`, or an illegal_transition error naming both. */
export function nextState(from: BookingState | 'none', action: BookingAction): BookingState {
  const to = TRANSITIONS[action][from];
  if (!to) throw new DomainError('illegal_transition', `cannot ${action.replace(/_/g, ' ')} a booking that is ${from.replace(/_/g, ' ')}`, { from, action });
  return to;
}

export function isCancelled(state: BookingState): boolean {
  return state === 'cancelled' || state === 'refund_pending' || state === 'refunded' || state === 'refund_failed';
}

export function transitionsTable(): Array<{ action: BookingAction; from: string; to: BookingState }> {
  return Object.entries(TRANSITIONS).flatMap(([action, m]) => Object.entries(m).map(([from, to]) => ({ action: action as BookingAction, from, to: to! })));
}
