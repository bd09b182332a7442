import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { openAccount, postEntry, verifyLedger, type JournalEntryRequest } from './index.js';

const T0 = '2026-09-01T12:00:00Z';

function payment(key: string): JournalEntryRequest {
  return {
    idempotency_key: key, kind: 'payment_received', booking_id: 'bk_1', occurred_at: T0, description: 'payment',
    lines: [
      { account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: 100 },
      { account: 'booking:bk_1:host_share:USD', unit: 'USD', direction: 'C', amount_minor: 100 },
    ],
  };
}

for (const dialect of dialects()) {
  describe(`postEntry outside a transaction, on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
      await openAccount(t.db, { code: 'platform:stripe_balance:USD', type: 'asset', unit: 'USD', name: 'Stripe balance', opened_at: T0 });
      await openAccount(t.db, { code: 'booking:bk_1:host_share:USD', type: 'liability', unit: 'USD', name: 'Host share', opened_at: T0 });
      await postEntry(t.db, payment('pay-1'));
    });
    after(async () => t.drop());

    test('an entry whose lines cannot be written leaves no entry row behind', async () => {
      // Make the database refuse lines (an administrator's trigger), then post through the service's connection, no transaction.
      await t.admin.raw(dialect === 'mysql'
        ? "CREATE TRIGGER test_refuse_lines BEFORE INSERT ON journal_lines FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'lines refused'"
        : "CREATE TRIGGER test_refuse_lines BEFORE INSERT ON journal_lines BEGIN SELECT RAISE(ABORT, 'lines refused'); END");
      try {
        await assert.rejects(postEntry(t.db, payment('pay-2')), /lines refused/);
      } finally {
        await t.admin.raw('DROP TRIGGER test_refuse_lines');
      }
      assert.equal(await t.db('journal_entries').where({ idempotency_key: 'pay-2' }).first(), undefined);
      const again = await postEntry(t.db, payment('pay-2'));
      assert.equal(again.replayed, false);
      assert.equal(again.entry.seq, 2);
      assert.equal((await verifyLedger(t.db)).ok, true);
    });
  });
}
