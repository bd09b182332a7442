import assert from 'node:assert/strict';
import type { Db } from '../db/connect.js';
import { MYSQL_APP, type Dialect } from './databases.js';
import type { Finished } from './spawn-main.js';

/** Secrets the refused starts are given; none may appear in what they print. */
export const LIVE_KEY = 'sk_live_start_safety_0123456789abcdef';
export const WEBHOOK_SECRET = 'whsec_start_safety_0123456789';
export const DB_PASSWORD = MYSQL_APP.password;
const SECRETS = [LIVE_KEY, WEBHOOK_SECRET, DB_PASSWORD];

/** Exit 2, `configuration error: <variable>: …`, no demo, no listening, no secret printed. */
export function assertRefused(r: Finished, variable: string): void {
  assert.equal(r.code, 2, `exit code 2\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`configuration error: ${variable}: `), `names ${variable}:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /DEMO MODE|listening/i);
  for (const s of SECRETS) assert.ok(!`${r.stdout}${r.stderr}`.includes(s), 'no secret or password printed');
}

/** Every table's row count, by name (what "nothing written" means for a ledger that exists). */
export async function rowCounts(db: Db, dialect: Dialect): Promise<Record<string, number>> {
  const tables: string[] = dialect === 'sqlite'
    ? (await db.raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((r: { name: string }) => r.name)
    : ((await db.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')) as [Array<{ name: string }>])[0].map((r) => r.name);
  const counts: Record<string, number> = {};
  for (const t of tables.sort()) counts[t] = Number((await db(t).count({ n: '*' }).first())?.n ?? 0);
  return counts;
}

/** Runs at most `n` at once: each start is a whole node process on a shared machine. */
export async function limited<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  }));
  return results;
}
