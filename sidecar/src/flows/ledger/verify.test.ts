import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { openAccount, postEntry, verifyLedger } from './index.js';

const T0 = '2026-09-01T12:00:00Z';
const CASH = 'platform:stripe_balance:USD';
const HELD = 'booking:bk_1:host_share:USD';

// What someone with only INSERT rights (the service's own MySQL user) could add behind the chain's back.
for (const dialect of dialects()) {
  describe(`verify against lines outside the chain, on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
      await openAccount(t.db, { code: CASH, type: 'asset', unit: 'USD', name: 'Stripe balance', opened_at: T0 });
      await openAccount(t.db, { code: HELD, type: 'liability', unit: 'USD', name: 'Host share bk_1', opened_at: T0 });
      for (const k of ['a', 'b']) {
        await postEntry(t.db, {
          idempotency_key: `pay-${k}`, kind: 'payment_received', booking_id: 'bk_1', occurred_at: T0, description: 'payment',
          lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: 1000 }, { account: HELD, unit: 'USD', direction: 'C', amount_minor: 1000 }],
        });
      }
    });
    after(async () => t.drop());

    test('a sound ledger verifies', async () => {
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.entries, 2);
    });

    test('a balanced pair of lines naming an entry that does not exist is caught', async () => {
      await t.db('journal_lines').insert([
        { entry_seq: 7, line_no: 1, account_code: HELD, unit: 'USD', direction: 'D', amount_minor: 500 },
        { entry_seq: 7, line_no: 2, account_code: 'platform:anything:USD', unit: 'USD', direction: 'C', amount_minor: 500 },
      ]);
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, false);
      assert.equal(report.first_bad?.problem, 'orphan_lines');
      assert.equal(report.first_bad?.seq, 7);
      assert.deepEqual(report.unbalanced_units, [], 'the pair balances: only the orphan check sees it');
    });

    test('an unbalanced line is caught per unit, even when its account does not exist', async () => {
      await t.db('journal_lines').insert({ entry_seq: 8, line_no: 1, account_code: 'nowhere:EUR', unit: 'EUR', direction: 'D', amount_minor: 3 });
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, false);
      assert.deepEqual(report.unbalanced_units, ['EUR']);
    });
  });
}
