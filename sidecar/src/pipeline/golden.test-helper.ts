import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { toInt, type Db } from '../db/connect.js';

// The golden log (shared by golden-*.test.ts): 197 stored events (fixtures/golden, made by
// scripts/golden/make-log.ts) and the
// chain head the dispatcher before the batch redesign gave them. Every way of dispatching them —
// any batch size, two replicas at once, replay — must end on exactly that head.
export const events = readFileSync(new URL('../../../fixtures/golden/events.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
export const expected = JSON.parse(readFileSync(new URL('../../../fixtures/golden/expected.json', import.meta.url), 'utf8')) as { entries: number; head: string; decisions: number };
export const silent = pino({ level: 'silent' });

export async function load(db: Db): Promise<void> {
  for (let i = 0; i < events.length; i += 50) await db('inbox_events').insert(events.slice(i, i + 50));
}

export async function head(db: Db): Promise<{ entries: number; head: string | null; decisions: number; results: number }> {
  const h = await db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
  const d = await db('decisions').count({ n: '*' }).first();
  const r = await db('event_results').count({ n: '*' }).first();
  return { entries: h ? toInt(h.seq) : 0, head: h?.entry_hash ?? null, decisions: toInt(d?.n), results: toInt(r?.n) };
}

