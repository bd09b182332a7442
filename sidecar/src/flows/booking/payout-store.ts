import { toInt, type Db } from '../../db/connect.js';
import { KIND } from '../vocabulary.js';

/** Bookings paid for whose host share has no transfer intent yet: candidates for a payout. */
export async function bookingsAwaitingPayout(db: Db): Promise<string[]> {
  const rows = await db('bookings as b')
    .whereExists(db('journal_entries as e').whereRaw('e.booking_id = b.booking_id').andWhere('e.kind', KIND.payment_received))
    .whereNotExists(db('outbox_intents as i').whereRaw('i.booking_id = b.booking_id').andWhere('i.operation', 'transfer'))
    .whereNotExists(db('journal_entries as t').whereRaw('t.booking_id = b.booking_id').andWhere('t.kind', KIND.host_transfer))
    .orderBy('b.inbox_id')
    .select('b.booking_id');
  return rows.map((r: { booking_id: string }) => r.booking_id);
}

export async function latestHold(db: Db, booking_id: string): Promise<{ code: string; reason: string; inbox_id: number } | undefined> {
  const row = await db('payout_holds').where({ booking_id }).orderBy('id', 'desc').first('code', 'reason', 'inbox_id');
  return row ? { ...row, inbox_id: toInt(row.inbox_id) } : undefined;
}

/** Records a hold, once per change of reason: a held payout is visible, never silently skipped. True when a new hold row was written. */
export async function recordHold(db: Db, booking_id: string, inbox_id: number, code: string, reason: string): Promise<boolean> {
  const last = await latestHold(db, booking_id);
  if (last?.code === code) return false;
  await db('payout_holds').insert({ booking_id, inbox_id, code, reason });
  return true;
}
