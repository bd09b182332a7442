import type { Logger } from 'pino';
import { toInt, type Db } from '../db/connect.js';
import { migrateLatest, pendingMigrations } from '../db/migrate.js';
import { Dispatcher } from './dispatcher.js';

export type ReplayReport = {
  events: number;
  source: { entries: number; head_hash: string | null };
  replayed: { entries: number; head_hash: string | null };
  identical: boolean;
  first_difference: { seq: number; source: string | null; replayed: string | null } | null;
  decisions: { source: number; replayed: number; identical: boolean };
};

/**
 * Rebuilds everything derived from the inbox into `target` (a fresh database): copies the inbox in
 * order, dispatches it, then proves the ledger identical entry by entry (same hashes, same head)
 * and the evidence identical decision by decision.
 */
export async function replayInto(source: Db, target: Db, opts: { logger: Logger; onProgress?: (done: number, total: number) => void }): Promise<ReplayReport> {
  // Migrate only when something is pending: on MySQL the service's INSERT/SELECT user cannot take
  // knex's migration lock even for a no-op, and a target migrated by an administrator is normal.
  if ((await pendingMigrations(target)).length > 0) await migrateLatest(target);
  const already = await target('inbox_events').first('id');
  if (already) throw new Error('replay target is not empty: give a fresh database');
  const total = toInt((await source('inbox_events').count({ n: '*' }).first())?.n);
  const dispatcher = new Dispatcher(target, { logger: opts.logger, batchSize: 500 });
  let last = 0;
  let copied = 0;
  for (;;) {
    const rows = await source('inbox_events').where('id', '>', last).orderBy('id').limit(1000);
    if (rows.length === 0) break;
    await target.batchInsert('inbox_events', rows, 200);
    last = toInt(rows[rows.length - 1].id);
    copied += rows.length;
    await dispatcher.drain();
    opts.onProgress?.(copied, total);
  }
  await dispatcher.drain();

  const head = async (db: Db) => {
    const r = await db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
    return { entries: r ? toInt(r.seq) : 0, head_hash: r?.entry_hash ?? null };
  };
  const [a, b] = [await head(source), await head(target)];
  let first_difference: ReplayReport['first_difference'] = null;
  for (let seq = 0; !first_difference; seq += 2000) {
    const sa = await source('journal_entries').where('seq', '>', seq).andWhere('seq', '<=', seq + 2000).orderBy('seq').select('seq', 'entry_hash');
    const sb = await target('journal_entries').where('seq', '>', seq).andWhere('seq', '<=', seq + 2000).orderBy('seq').select('seq', 'entry_hash');
    if (sa.length === 0 && sb.length === 0) break;
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
      if (sa[i]?.entry_hash !== sb[i]?.entry_hash) {
        first_difference = { seq: seq + i + 1, source: sa[i]?.entry_hash ?? null, replayed: sb[i]?.entry_hash ?? null };
        break;
      }
    }
  }
  const decisionsOf = async (db: Db) => (await db('decisions').orderBy('decision_id').select('decision_id', 'outcome_hash', 'input_hash', 'allowed')).map((d: Record<string, unknown>) => `${d.decision_id}:${d.outcome_hash}:${d.input_hash}:${Number(d.allowed)}`);
  const [da, db_] = [await decisionsOf(source), await decisionsOf(target)];
  const decisionsIdentical = da.length === db_.length && da.every((x: string, i: number) => x === db_[i]);
  return {
    events: copied, source: a, replayed: b,
    identical: first_difference === null && a.head_hash === b.head_hash && decisionsIdentical,
    first_difference,
    decisions: { source: da.length, replayed: db_.length, identical: decisionsIdentical },
  };
}
