import { toInt, type Db } from '../../db/connect.js';

export type CreditLot = { lot_id: string; guest_id: string; booking_id: string | null; credits: number; earned_at: string; expires_at: string; inbox_id: number };

export async function addCreditLot(db: Db, lot: CreditLot): Promise<void> {
  const existing = await db('credit_lots').where({ lot_id: lot.lot_id }).first('lot_id');
  if (!existing) await db('credit_lots').insert(lot);
}

/** Credits left in each unexpired lot of a guest, soonest to expire first. */
export async function openLots(db: Db, guest_id: string): Promise<Array<CreditLot & { remaining: number }>> {
  const lots = (await creditLotsOf(db, guest_id)).filter((l) => !l.expired).sort((a, b) => (a.expires_at < b.expires_at ? -1 : a.expires_at > b.expires_at ? 1 : a.lot_id < b.lot_id ? -1 : 1));
  const out: Array<CreditLot & { remaining: number }> = [];
  for (const l of lots) {
    const remaining = l.credits - (await usedFromLot(db, l.lot_id));
    if (remaining > 0) out.push({ ...l, remaining });
  }
  return out;
}

export async function usedFromLot(db: Db, lot_id: string): Promise<number> {
  const r = await db('credit_lot_uses').where({ lot_id }).sum({ n: 'credits' }).first();
  return toInt(r?.n ?? 0);
}

/** Takes `credits` from the guest's lots, soonest-expiring first. The caller checked the balance. */
export async function useCredits(db: Db, guest_id: string, booking_id: string, credits: number, inbox_id: number): Promise<void> {
  let left = credits;
  for (const lot of await openLots(db, guest_id)) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining);
    await db('credit_lot_uses').insert({ lot_id: lot.lot_id, booking_id, credits: take, inbox_id });
    left -= take;
  }
  if (left !== 0) throw new Error(`invariant violated: ${left} credits could not be taken from the lots of ${guest_id}`);
}

/** Lots whose expiry moment is strictly before `at` and that have not expired yet, in a stable order. */
export async function lotsExpiringBefore(db: Db, at: string): Promise<CreditLot[]> {
  const rows = await db('credit_lots as l')
    .leftJoin('credit_lot_expiries as x', 'x.lot_id', 'l.lot_id')
    .whereNull('x.lot_id')
    .where('l.expires_at', '<', at)
    .orderBy('l.expires_at').orderBy('l.lot_id')
    .select('l.*');
  return rows.map((r: CreditLot) => ({ ...r, credits: toInt(r.credits), inbox_id: toInt(r.inbox_id) }));
}

export async function markLotExpired(db: Db, lot_id: string, inbox_id: number): Promise<void> {
  await db('credit_lot_expiries').insert({ lot_id, inbox_id });
}

export async function creditLotsOf(db: Db, guest_id: string): Promise<Array<CreditLot & { expired: boolean }>> {
  const rows = await db('credit_lots as l').leftJoin('credit_lot_expiries as x', 'x.lot_id', 'l.lot_id').where('l.guest_id', guest_id).orderBy('l.earned_at').select('l.*', 'x.lot_id as expired_lot');
  return rows.map((r: CreditLot & { expired_lot: string | null }) => ({ lot_id: r.lot_id, guest_id: r.guest_id, booking_id: r.booking_id, credits: toInt(r.credits), earned_at: r.earned_at, expires_at: r.expires_at, inbox_id: toInt(r.inbox_id), expired: r.expired_lot !== null }));
}
