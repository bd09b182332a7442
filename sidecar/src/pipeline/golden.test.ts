import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { toInt, type Db } from '../db/connect.js';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { Dispatcher } from './dispatcher.js';
import { replayInto } from './replay.js';

// The golden log: 197 stored events (fixtures/golden, made by scripts/golden/make-log.ts) and the
// chain head the dispatcher before the batch redesign gave them. Every way of dispatching them —
// any batch size, two replicas at once, replay — must end on exactly that head.
const events = readFileSync(new URL('../../../fixtures/golden/events.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const expected = JSON.parse(readFileSync(new URL('../../../fixtures/golden/expected.json', import.meta.url), 'utf8')) as { entries: number; head: string; decisions: number };
const silent = pino({ level: 'silent' });

async function load(db: Db): Promise<void> {
  for (let i = 0; i < events.length; i += 50) await db('inbox_events').insert(events.slice(i, i + 50));
}

async function head(db: Db): Promise<{ entries: number; head: string | null; decisions: number; results: number }> {
  const h = await db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
  const d = await db('decisions').count({ n: '*' }).first();
  const r = await db('event_results').count({ n: '*' }).first();
  return { entries: h ? toInt(h.seq) : 0, head: h?.entry_hash ?? null, decisions: toInt(d?.n), results: toInt(r?.n) };
}

for (const dialect of dialects()) {
  describe(`golden log on ${dialect}`, () => {
    const dbs: TestDatabase[] = [];
    const fresh = async () => {
      const t = await freshDatabase(dialect);
      dbs.push(t);
      return t;
    };
    after(async () => {
      for (const t of dbs) await t.drop();
    });

    let results: number | undefined;
    for (const batchSize of [1, 7, 500]) {
      test(`live dispatch in batches of ${batchSize} ends on the expected head`, async () => {
        const t = await fresh();
        await load(t.db);
        const d = new Dispatcher(t.db, { logger: silent, batchSize });
        await d.drain();
        const got = await head(t.db);
        assert.deepEqual({ entries: got.entries, head: got.head, decisions: got.decisions }, { entries: expected.entries, head: expected.head, decisions: expected.decisions });
        results ??= got.results;
        assert.equal(got.results, results, 'every batch size gives every event one result');
      });
    }

    test('two replicas dispatching the same inbox at once end on the expected head, nothing applied twice', async () => {
      const t = await fresh();
      await load(t.db);
      const [a, b] = [new Dispatcher(t.db, { logger: silent, batchSize: 7 }), new Dispatcher(t.db, { logger: silent, batchSize: 11 })];
      await Promise.all([a.drain(), b.drain()]);
      await a.drain();
      const got = await head(t.db);
      assert.equal(got.head, expected.head);
      assert.equal(got.entries, expected.entries);
      const dupes = await t.db('event_results').groupBy('inbox_id').having(t.db.raw('count(*) > 1')).select('inbox_id');
      assert.deepEqual(dupes, []);
    });

    test('replay of a dispatched log into a fresh database is identical and ends on the expected head', async () => {
      const source = await fresh();
      await load(source.db);
      await new Dispatcher(source.db, { logger: silent, batchSize: 500 }).drain();
      const target = await fresh();
      const report = await replayInto(source.db, target.db, { logger: silent });
      assert.equal(report.identical, true, JSON.stringify(report));
      assert.equal(report.replayed.head_hash, expected.head);
    });
  });
}
