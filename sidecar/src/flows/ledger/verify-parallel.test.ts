import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { openAccount, postEntries, verifyLedger, type JournalEntryRequest } from './index.js';
import { poolStats } from './verify-pool.js';

const T0 = '2026-09-01T12:00:00Z';
const CASH = 'platform:stripe_balance:USD';
const HELD = 'booking:bk_1:host_share:USD';
const ENTRIES = 1200;
const PAGE = 50; // 24 pages

const payment = (i: number): JournalEntryRequest => ({
  idempotency_key: `pay-${i}`, kind: 'payment_received', booking_id: 'bk_1', occurred_at: T0, description: `payment ${i}`, meta: { i },
  lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: 100 + i }, { account: HELD, unit: 'USD', direction: 'C', amount_minor: 100 + i }],
});

// The parallel path (pages checked in worker threads, verdicts taken in seq order) must name what one pass names.
for (const dialect of dialects()) {
  describe(`verify over many pages, one thread and worker threads, on ${dialect}`, () => {
    let t: TestDatabase;
    const runs = async () => ({
      single: await verifyLedger(t.db, undefined, { pageSize: PAGE, parallel: false }),
      workers: await verifyLedger(t.db, undefined, { pageSize: PAGE, parallel: 'workers' }),
      shared: await verifyLedger(t.db, undefined, { pageSize: PAGE, parallel: true }),
    });
    before(async () => {
      t = await freshDatabase(dialect);
      await openAccount(t.db, { code: CASH, type: 'asset', unit: 'USD', name: 'Stripe balance', opened_at: T0 });
      await openAccount(t.db, { code: HELD, type: 'liability', unit: 'USD', name: 'Host share bk_1', opened_at: T0 });
      for (let i = 0; i < ENTRIES; i += 300) await postEntries(t.db, Array.from({ length: 300 }, (_, k) => payment(i + k)));
    });
    after(async () => t.drop());

    test('a sound ledger: every way agrees, progress reaches the head', async () => {
      const seen: number[] = [];
      const sent = poolStats.pages;
      const r = await verifyLedger(t.db, (n) => seen.push(n), { pageSize: PAGE, parallel: 'workers' });
      assert.equal(r.ok, true, JSON.stringify(r.first_bad));
      assert.equal(r.entries, ENTRIES);
      assert.equal(poolStats.pages - sent, ENTRIES / PAGE, "in 'workers' mode every page went to a worker thread");
      assert.deepEqual(seen, Array.from({ length: ENTRIES / PAGE }, (_, p) => (p + 1) * PAGE), 'progress once per page, in order');
      const { single, workers, shared } = await runs();
      assert.deepEqual(workers, single);
      assert.deepEqual(shared, single);
    });

    test('tampers in the middle: the first bad entry named is the same, by every way', async () => {
      const sqlite = dialect === 'sqlite';
      await t.admin.raw(sqlite ? 'DROP TRIGGER "journal_lines_no_update"' : 'DROP TRIGGER journal_lines_no_update');
      await t.admin.raw(sqlite ? 'DROP TRIGGER "journal_entries_no_update"' : 'DROP TRIGGER journal_entries_no_update');
      // A later entry's chain link broken first, then an earlier entry's lines (balanced, so only the hashes tell).
      await t.admin.raw("UPDATE journal_entries SET prev_hash = 'sha256:forged' WHERE seq = 1001");
      let r = await runs();
      assert.equal(r.single.first_bad?.seq, 1001);
      assert.equal(r.single.first_bad?.problem, 'prev_hash_mismatch');
      assert.deepEqual(r.workers, r.single);
      assert.deepEqual(r.shared, r.single);
      await t.admin.raw('UPDATE journal_lines SET amount_minor = amount_minor + 1 WHERE entry_seq = 613');
      r = await runs();
      assert.equal(r.single.ok, false);
      assert.equal(r.single.first_bad?.seq, 613);
      assert.equal(r.single.first_bad?.problem, 'content_hash_mismatch');
      assert.equal(r.single.entries, ENTRIES, 'every entry is still counted');
      assert.deepEqual(r.workers, r.single);
      assert.deepEqual(r.shared, r.single);
      // The first entry of a page (601 with pages of 50) is checked against the page before it.
      await t.admin.raw("UPDATE journal_entries SET prev_hash = 'sha256:forged' WHERE seq = 601");
      r = await runs();
      assert.equal(r.single.first_bad?.seq, 601);
      assert.equal(r.single.first_bad?.problem, 'prev_hash_mismatch');
      assert.deepEqual(r.workers, r.single);
      assert.deepEqual(r.shared, r.single);
    });
  });
}
