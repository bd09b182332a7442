import { toInt, type Db } from '../db/connect.js';

/**
 * One ticker across replicas, without ever updating a row: a claim is an inserted row with a
 * wall-clock expiry, and the newest unexpired claim holds the lease. The holder renews by claiming
 * again once half its lease has run; another replica claims only when no claim is valid. Two
 * replicas that claim at the same instant both insert; the newer row wins and the other stands
 * down on its next look. Even a double tick is harmless: a tick's id is its minute (deduplicated).
 */
export async function holdClockLease(db: Db, holder: string, now_ms: number, lease_ms: number): Promise<boolean> {
  const newest = await newestValidClaim(db, now_ms);
  if (newest && newest.holder !== holder) return false;
  if (newest && newest.expires_at_ms - now_ms > lease_ms / 2) return true;
  await db('clock_lease_claims').insert({ holder, claimed_at_ms: now_ms, expires_at_ms: now_ms + lease_ms });
  return (await newestValidClaim(db, now_ms))?.holder === holder;
}

export async function newestValidClaim(db: Db, now_ms: number): Promise<{ id: number; holder: string; expires_at_ms: number } | undefined> {
  const row = (await db('clock_lease_claims').where('expires_at_ms', '>', now_ms).orderBy('id', 'desc').first('id', 'holder', 'expires_at_ms')) as
    | { id: unknown; holder: string; expires_at_ms: unknown }
    | undefined;
  return row ? { id: toInt(row.id), holder: row.holder, expires_at_ms: toInt(row.expires_at_ms) } : undefined;
}
