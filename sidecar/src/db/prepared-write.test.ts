import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { insertRows } from '../flows/ledger/multi-row-insert.js';
import { executeWrite, useTextWrites } from './prepared-write.js';
import { openDb } from './connect.js';

// Values of every kind the batch writes, at their edges: what lands must be what the text
// statements wrote before (prepared statements on MySQL bind them; numbers must not become DOUBLEs).
const ROWS: unknown[][] = [
  [1, 'plain', 0, -42, 1, null],
  [2, 'ünïcødé € "quoted" \'single\' back\\slash\n\t', 9_007_199_254_740_991, -9_007_199_254_740_991, 0, 'x'.repeat(70_000)],
  [3, '', 123456789012, 0, 1, '{"a":[1,2,{"b":null}]}'],
  [4, '0', 1, 1, 0, ''],
];
const COLUMNS = ['id', 'label', 'big', 'neg', 'flag', 'body'];

for (const dialect of dialects()) {
  describe(`prepared writes on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
      for (const table of ['pw_prepared', 'pw_text']) {
        await t.admin.schema.createTable(table, (x) => { // DDL: the admin (the service user may only INSERT and SELECT)
          x.integer('id').primary();
          x.string('label', 191).notNullable();
          x.bigInteger('big').notNullable();
          x.bigInteger('neg').notNullable();
          x.boolean('flag').notNullable();
          x.text('body', 'mediumtext').nullable();
        });
      }
    });
    after(async () => t.drop());

    test('a multi-row INSERT lands the same rows, value for value, as the text statement', async () => {
      const booleans = ROWS.map((r) => [r[0], r[1], r[2], r[3], r[4] === 1, r[5]]);
      await t.db.transaction((trx) => insertRows(trx, 'pw_prepared', COLUMNS, booleans));
      const text = openDb(t.target);
      try {
        useTextWrites(text);
        await text.transaction((trx) => insertRows(trx, 'pw_text', COLUMNS, booleans));
      } finally {
        await text.destroy();
      }
      const read = async (table: string) => (await t.db(table).orderBy('id').select('*')).map((r: Record<string, unknown>) => COLUMNS.map((c) => String(r[c])));
      const prepared = await read('pw_prepared');
      assert.deepEqual(prepared, await read('pw_text'));
      assert.equal(prepared[1]![2], '9007199254740991', 'a 53-bit integer is exact');
      assert.equal(prepared[1]![1], ROWS[1]![1], 'text is byte for byte');
      assert.equal(prepared[1]![5]!.length, 70_000);
    });

    test('a unique violation is the driver\'s error (the dispatcher tells a lost race by it), and ignoreDuplicates skips the row', async () => {
      await assert.rejects(t.db.transaction((trx) => insertRows(trx, 'pw_prepared', COLUMNS, [[1, 'again', 1, 1, true, null]])), (e: { code?: string }) => /DUP_ENTRY|CONSTRAINT/.test(String(e.code)));
      await t.db.transaction((trx) => insertRows(trx, 'pw_prepared', COLUMNS, [[1, 'again', 1, 1, true, null], [5, 'new', 5, 5, false, null]], { ignoreDuplicates: true }));
      assert.deepEqual((await t.db('pw_prepared').orderBy('id').select('id', 'label')).map((r: { id: unknown; label: string }) => `${String(r.id)}:${r.label}`), ['1:plain', '2:' + String(ROWS[1]![1]), '3:', '4:0', '5:new']);
    });

    test('a value that has no column form is refused before anything is sent', async () => {
      if (dialect !== 'mysql') return; // SQLite binds through knex as before
      await assert.rejects(executeWrite(t.db, 'INSERT INTO pw_prepared (id, label, big, neg, flag) VALUES (?, ?, ?, ?, ?)', [9, { not: 'a value' }, 1, 1, true]), TypeError);
      await assert.rejects(executeWrite(t.db, 'INSERT INTO pw_prepared (id, label, big, neg, flag) VALUES (?, ?, ?, ?, ?)', [9, undefined, 1, 1, true]), TypeError);
      assert.equal((await t.db('pw_prepared').where('id', 9)).length, 0);
    });

    test('a connection keeps a bounded number of statements prepared, however many row counts it writes', async () => {
      if (dialect !== 'mysql') return;
      await t.db.transaction(async (trx) => {
        for (let n = 1; n <= 120; n++) {
          const rows = Array.from({ length: n }, (_, i) => [1000 + n * 200 + i, `r${n}`, n, i, false, null]);
          await insertRows(trx, 'pw_prepared', COLUMNS, rows);
        }
        const conn = await (trx.client as { acquireConnection: () => Promise<{ _statements: { size: number } }> }).acquireConnection();
        assert.ok(conn._statements.size <= 48, `${conn._statements.size} statements kept prepared`);
        assert.ok(conn._statements.size >= 1, 'the most recent ones are kept');
      });
      assert.equal(Number((await t.db('pw_prepared').where('id', '>=', 1000).count({ n: '*' }).first())?.n), (120 * 121) / 2);
    });
  });
}
