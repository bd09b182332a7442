import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { isDomainError, MAX_AMOUNT_MINOR } from '../../kernel/index.js';
import { listTables, MUTABLE_TABLES } from '../../db/tables.js';
import { balanceOf, openAccount, postEntry, reverseEntry, trialBalance, verifyLedger, type JournalEntryRequest } from './index.js';
import { dialectOf } from '../../db/connect.js';

const T0 = '2026-09-01T12:00:00Z';

function payment(key: string, amount: number, overrides: Partial<JournalEntryRequest> = {}): JournalEntryRequest {
  return {
    idempotency_key: key,
    kind: 'payment_received',
    booking_id: 'bk_1',
    occurred_at: T0,
    description: 'Guest payment',
    lines: [
      { account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: amount },
      { account: 'booking:bk_1:guest_liability:USD', unit: 'USD', direction: 'C', amount_minor: amount },
    ],
    ...overrides,
  };
}

async function counts(t: TestDatabase) {
  const e = await t.db('journal_entries').count({ n: '*' }).first();
  const l = await t.db('journal_lines').count({ n: '*' }).first();
  return { entries: Number(e?.n), lines: Number(l?.n) };
}

for (const dialect of dialects()) {
  describe(`ledger on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
      await openAccount(t.db, { code: 'platform:stripe_balance:USD', type: 'asset', unit: 'USD', name: 'Platform Stripe balance', opened_at: T0 });
      await openAccount(t.db, { code: 'booking:bk_1:guest_liability:USD', type: 'liability', unit: 'USD', name: 'Guest liability bk_1', opened_at: T0 });
      await openAccount(t.db, { code: 'platform:stripe_balance:EUR', type: 'asset', unit: 'EUR', name: 'Platform Stripe balance EUR', opened_at: T0 });
      await openAccount(t.db, { code: 'guest:g1:credits', type: 'liability', unit: 'CREDIT', name: 'Loyalty credits g1', opened_at: T0 });
    });
    after(async () => t.drop());

    test('a balanced entry is posted and chained from genesis', async () => {
      const { entry, replayed } = await postEntry(t.db, payment('pay-1', 30_000));
      assert.equal(replayed, false);
      assert.equal(entry.seq, 1);
      assert.match(entry.prev_hash, /^sha256:0{64}$/);
      const second = await postEntry(t.db, payment('pay-2', 500));
      assert.equal(second.entry.seq, 2);
      assert.equal(second.entry.prev_hash, entry.entry_hash);
      const bal = await balanceOf(t.db, 'platform:stripe_balance:USD');
      assert.equal(bal.balance_minor, 30_500n);
      const liab = await balanceOf(t.db, 'booking:bk_1:guest_liability:USD');
      assert.equal(liab.balance_minor, 30_500n, 'liabilities are credit-normal');
    });

    test('posting the same key twice returns the first entry and writes nothing', async () => {
      const before = await counts(t);
      const again = await postEntry(t.db, payment('pay-1', 30_000));
      assert.equal(again.replayed, true);
      assert.equal(again.entry.seq, 1);
      assert.deepEqual(await counts(t), before);
    });

    test('the same key with other content is an idempotency_conflict', async () => {
      const before = await counts(t);
      await assert.rejects(postEntry(t.db, payment('pay-1', 30_001)), (e) => isDomainError(e, 'idempotency_conflict'));
      assert.deepEqual(await counts(t), before);
    });

    const refused: Array<[string, JournalEntryRequest, string]> = [
      ['unbalanced', payment('bad-1', 100, { lines: [
        { account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: 100 },
        { account: 'booking:bk_1:guest_liability:USD', unit: 'USD', direction: 'C', amount_minor: 99 },
      ] }), 'unbalanced_entry'],
      ['balanced overall but not per currency', payment('bad-2', 100, { lines: [
        { account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: 100 },
        { account: 'platform:stripe_balance:EUR', unit: 'EUR', direction: 'C', amount_minor: 100 },
      ] }), 'unbalanced_entry'],
      ['line currency differs from the account', payment('bad-3', 100, { lines: [
        { account: 'platform:stripe_balance:USD', unit: 'EUR', direction: 'D', amount_minor: 100 },
        { account: 'platform:stripe_balance:EUR', unit: 'EUR', direction: 'C', amount_minor: 100 },
      ] }), 'currency_mismatch'],
      ['unknown account', payment('bad-4', 100, { lines: [
        { account: 'platform:nowhere:USD', unit: 'USD', direction: 'D', amount_minor: 100 },
        { account: 'booking:bk_1:guest_liability:USD', unit: 'USD', direction: 'C', amount_minor: 100 },
      ] }), 'unknown_account'],
      ['amount above the range', payment('bad-5', MAX_AMOUNT_MINOR + 1), 'amount_out_of_range'],
      ['zero amount', payment('bad-6', 0), 'amount_out_of_range'],
      ['negative amount', payment('bad-7', -5), 'amount_out_of_range'],
      ['fractional amount', payment('bad-8', 10.5), 'amount_out_of_range'],
      ['one line', payment('bad-9', 1, { lines: [{ account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: 1 }] }), 'empty_entry'],
    ];
    for (const [name, req, code] of refused) {
      test(`refused, nothing written: ${name} -> ${code}`, async () => {
        const before = await counts(t);
        await assert.rejects(postEntry(t.db, req), (e) => isDomainError(e, code as never));
        assert.deepEqual(await counts(t), before);
      });
    }

    test('non-cash units balance on their own', async () => {
      await openAccount(t.db, { code: 'platform:credits_issued', type: 'equity', unit: 'CREDIT', name: 'Credits issued', opened_at: T0 });
      const r = await postEntry(t.db, {
        idempotency_key: 'credits-1', kind: 'credits_earned', booking_id: 'bk_1', occurred_at: T0, description: 'credits',
        lines: [
          { account: 'platform:credits_issued', unit: 'CREDIT', direction: 'D', amount_minor: 300 },
          { account: 'guest:g1:credits', unit: 'CREDIT', direction: 'C', amount_minor: 300 },
        ],
      });
      assert.equal((await balanceOf(t.db, 'guest:g1:credits')).balance_minor, 300n);
      assert.ok(r.entry.seq > 2);
    });

    test('a correction is a reversing entry that references the original, once', async () => {
      const original = await postEntry(t.db, payment('pay-wrong', 777, { occurred_at: '2026-09-02T00:00:00Z' }));
      const rev = await reverseEntry(t.db, { seq: original.entry.seq, idempotency_key: 'rev-pay-wrong', occurred_at: '2026-09-03T00:00:00Z', reason: 'posted in error' });
      assert.equal(rev.entry.reverses_seq, original.entry.seq);
      assert.deepEqual(rev.entry.lines.map((l) => l.direction), ['C', 'D']);
      await assert.rejects(
        reverseEntry(t.db, { seq: original.entry.seq, idempotency_key: 'rev-pay-wrong-2', occurred_at: '2026-09-03T00:00:00Z', reason: 'again' }),
        (e) => isDomainError(e, 'already_reversed'),
      );
      // balance as of the original entry includes it; as of the reversal it is gone again
      const asOfOriginal = await balanceOf(t.db, 'platform:stripe_balance:USD', { seq: original.entry.seq });
      const now = await balanceOf(t.db, 'platform:stripe_balance:USD');
      assert.equal(asOfOriginal.balance_minor - now.balance_minor, 777n);
      const asOfTime = await balanceOf(t.db, 'platform:stripe_balance:USD', { time: '2026-09-02T12:00:00Z' });
      assert.equal(asOfTime.balance_minor, asOfOriginal.balance_minor);
    });

    test('trial balance is zero per unit and verify is clean', async () => {
      const tb = await trialBalance(t.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, row.unit);
      assert.deepEqual(tb.rows.map((r) => r.unit), ['CREDIT', 'USD']);
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));
      assert.equal(report.entries, 5);
    });

    test('every table but the migration lock refuses UPDATE and DELETE, even for an administrator', async () => {
      const tables = (await listTables(t.admin)).filter((n) => !MUTABLE_TABLES.includes(n));
      assert.ok(tables.includes('journal_lines') && tables.includes('inbox_events') && tables.includes('knex_migrations'));
      for (const table of tables) {
        const hasRow = await t.admin(table).first();
        if (!hasRow) continue; // triggers are per row: an empty table is checked through its trigger list below
        await assert.rejects(t.admin.raw(`UPDATE ${q(t, table)} SET ${q(t, Object.keys(hasRow)[0]!)} = ${q(t, Object.keys(hasRow)[0]!)}`), /append-only/, `UPDATE ${table}`);
        await assert.rejects(t.admin.raw(`DELETE FROM ${q(t, table)}`), /append-only/, `DELETE ${table}`);
      }
      const triggers = await triggerNames(t);
      for (const table of tables) {
        assert.ok(triggers.includes(`${table}_no_update`), `${table} has an UPDATE trigger`);
        assert.ok(triggers.includes(`${table}_no_delete`), `${table} has a DELETE trigger`);
      }
    });

    if (dialect === 'mysql') {
      test('the application user has INSERT and SELECT only: no UPDATE or DELETE even without triggers', async () => {
        await t.admin.raw('DROP TRIGGER journal_lines_no_update');
        try {
          await assert.rejects(t.db.raw('UPDATE journal_lines SET amount_minor = amount_minor + 1'), /command denied/i);
          await assert.rejects(t.db.raw('DELETE FROM journal_lines'), /command denied/i);
          await assert.rejects(t.db.raw('DROP TRIGGER journal_lines_no_delete'), /denied/i);
        } finally {
          await t.admin.raw(`CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'append-only: journal_lines rows cannot be changed or removed'`);
        }
      });
    }

    test('verify names the first tampered entry (tampering with triggers dropped)', async () => {
      const sqlite = dialectOf(t.admin) === 'sqlite';
      await t.admin.raw(sqlite ? 'DROP TRIGGER "journal_lines_no_update"' : 'DROP TRIGGER journal_lines_no_update');
      // a balanced tamper: both lines of entry 2 raised, so only the hashes can tell
      await t.admin.raw('UPDATE journal_lines SET amount_minor = amount_minor + 1 WHERE entry_seq = 2');
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, false);
      assert.equal(report.first_bad?.seq, 2);
      assert.equal(report.first_bad?.problem, 'content_hash_mismatch');
    });
  });
}

function q(t: TestDatabase, name: string): string {
  return t.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

async function triggerNames(t: TestDatabase): Promise<string[]> {
  if (t.dialect === 'mysql') {
    const [rows] = (await t.admin.raw('SHOW TRIGGERS')) as [Array<{ Trigger: string }>];
    return rows.map((r) => r.Trigger);
  }
  const rows = (await t.admin.raw("SELECT name FROM sqlite_master WHERE type = 'trigger'")) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}
