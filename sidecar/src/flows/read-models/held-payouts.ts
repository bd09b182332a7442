import type { Db } from '../../db/connect.js';
import { hostBookingsWithHolds, type HostHold } from './held-candidates.js';
import { chart } from '../vocabulary.js';
import { heldIn } from '../booking/postings.js';

export type HeldPayout = { booking_id: string; currency: string; amount_minor: number; code: string; reason: string; held_by_inbox_id: number };

/**
 * A host's payouts that are due but held (no connected account, a payout hold, a restricted Connect
 * account), with the reason: what the statement shows until the hold is released and the payout made.
 */
export async function heldPayoutsOf(db: Db, host_id: string, held?: HostHold[]): Promise<HeldPayout[]> {
  const out: HeldPayout[] = [];
  for (const { booking_id, currency, hold } of held ?? await hostBookingsWithHolds(db, host_id)) {
    out.push({ booking_id, currency, amount_minor: await heldIn(db, chart.hostShare(booking_id, currency)), code: hold.code, reason: hold.reason, held_by_inbox_id: hold.inbox_id });
  }
  return out;
}
