import { toInt, type Db } from '../db/connect.js';

export type DispatchLag = { backlog: number; oldest_received_at: string | null; lag_s: number };

/**
 * How far dispatch is behind the inbox, from committed rows only (any replica's view is the same):
 * events after the last one with a result or a parking, and the age of the oldest of them.
 * Parked events are waiting for a predecessor, not for dispatch, and are not lag.
 */
export async function dispatchLag(db: Db, now_ms: number): Promise<DispatchLag> {
  const r = await db('event_results').max({ m: 'inbox_id' }).first();
  const p = await db('event_parkings').max({ m: 'inbox_id' }).first();
  const cursor = Math.max(toInt(r?.m ?? 0), toInt(p?.m ?? 0));
  const oldest = (await db('inbox_events').where('id', '>', cursor).orderBy('id').first('received_at')) as { received_at: string } | undefined;
  if (!oldest) return { backlog: 0, oldest_received_at: null, lag_s: 0 };
  const n = await db('inbox_events').where('id', '>', cursor).count({ n: '*' }).first();
  return { backlog: toInt(n?.n ?? 0), oldest_received_at: oldest.received_at, lag_s: Math.max(0, (now_ms - Date.parse(oldest.received_at)) / 1000) };
}
