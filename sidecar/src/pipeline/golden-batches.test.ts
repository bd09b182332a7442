import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { Dispatcher } from './dispatcher.js';
import { expected, head, load, silent } from './golden.test-helper.js';

for (const dialect of dialects()) {
  describe(`golden log in batches on ${dialect}`, () => {
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

  });
}
