import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { Dispatcher } from './dispatcher.js';
import { replayInto } from './replay.js';
import { expected, head, load, silent } from './golden.test-helper.js';

for (const dialect of dialects()) {
  describe(`golden log, two replicas and replay, on ${dialect}`, () => {
    const dbs: TestDatabase[] = [];
    const fresh = async () => {
      const t = await freshDatabase(dialect);
      dbs.push(t);
      return t;
    };
    after(async () => {
      for (const t of dbs) await t.drop();
    });

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
