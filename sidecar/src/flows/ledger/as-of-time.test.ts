import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { balanceOf, openAccount, postEntry } from './index.js';

for (const dialect of dialects()) {
  describe(`balances as of a time on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
      for (const [code, type] of [['a:cash:USD', 'asset'], ['a:owed:USD', 'liability']] as const) await openAccount(t.db, { code, type, unit: 'USD', name: code, opened_at: '2026-01-01T00:00:00Z' });
    });
    after(async () => t.drop());

    const entry = (key: string, occurred_at: string, amount: number) => postEntry(t.db, {
      idempotency_key: key, kind: 'credits_earned', booking_id: null, occurred_at, description: key,
      lines: [{ account: 'a:cash:USD', unit: 'USD', direction: 'D', amount_minor: amount }, { account: 'a:owed:USD', unit: 'USD', direction: 'C', amount_minor: amount }],
    });

    test('instants with and without milliseconds order by time, not by text', async () => {
      await entry('at-noon-and-a-half-second', '2026-09-01T12:00:00.500Z', 7);
      await entry('at-noon', '2026-09-01T12:00:00Z', 5);
      assert.equal((await balanceOf(t.db, 'a:cash:USD', { time: '2026-09-01T12:00:00Z' })).balance_minor, 5n);
      assert.equal((await balanceOf(t.db, 'a:cash:USD', { time: '2026-09-01T12:00:00.500Z' })).balance_minor, 12n);
      assert.equal((await balanceOf(t.db, 'a:cash:USD', { time: '2026-09-01T11:59:59.999Z' })).balance_minor, 0n);
    });

    test('the same entry written with or without milliseconds is one entry', async () => {
      const a = await entry('same-instant', '2026-09-02T08:00:00Z', 3);
      const b = await entry('same-instant', '2026-09-02T08:00:00.000Z', 3);
      assert.equal(b.replayed, true);
      assert.equal(b.entry.seq, a.entry.seq);
      assert.equal(a.entry.occurred_at, '2026-09-02T08:00:00.000Z');
    });
  });
}
