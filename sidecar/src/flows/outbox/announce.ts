import type { Db } from '../../db/connect.js';

export type TerminalFailureNotice = {
  intent_id: string; operation: string; booking_id: string | null; decision_id: string;
  reason: string; error_code: string | null; amount_minor: number | null; currency: string | null; occurred_at: string;
};

/**
 * THE HOOK for outbound events (issue #15): a terminal failure of an outbound payment, decided by
 * the retry policy. When #15's outbound events land, emit `refund.failed` here for refunds (and the
 * payout equivalent for transfers) in the caller's transaction. Until then the notice is visible as
 * a booking flag (written by the caller), the terminal decision and `GET /outbox?status=failed`.
 */
export async function announceTerminalFailure(_db: Db, _notice: TerminalFailureNotice): Promise<void> {
  // intentionally empty until outbound events (#15) exist on main
}
