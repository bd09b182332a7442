import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { dialectOf } from '../../db/connect.js';
import {
  BALANCE_CHECKPOINT_EVERY_LINES, latestVerified, openAccount, postEntries, recordVerified, signVerified, verifyLedger, verifyLedgerSince,
  type JournalEntryRequest, type VerifiedCheckpoint, type VerifyReport,
} from './index.js';

const T0 = '2026-09-01T12:00:00Z';
const CASH = 'platform:stripe_balance:USD';
const HELD = (n: number) => `booking:bk_${n % 7}:host_share:USD`;
const EURO = 'platform:stripe_balance:EUR';
const KEY = { keyId: 'k1', secret: 'a-secret-of-16-chars-or-more' };

const payment = (n: number): JournalEntryRequest => ({
  idempotency_key: `p${n}`, kind: 'payment_received', booking_id: `bk_${n % 7}`, occurred_at: T0, description: 'payment',
  lines: [
    { account: CASH, unit: 'USD', direction: 'D', amount_minor: 1000 + n },
    { account: HELD(n), unit: 'USD', direction: 'C', amount_minor: 1000 + n },
    ...(n % 3 === 0 ? [{ account: EURO, unit: 'EUR', direction: 'D' as const, amount_minor: 5 }, { account: 'platform:fx:EUR', unit: 'EUR', direction: 'C' as const, amount_minor: 5 }] : []),
  ],
});

async function ledger(dialect: 'sqlite' | 'mysql', entries: number): Promise<TestDatabase> {
  const t = await freshDatabase(dialect);
  await openAccount(t.db, { code: CASH, type: 'asset', unit: 'USD', name: 'cash', opened_at: T0 });
  await openAccount(t.db, { code: EURO, type: 'asset', unit: 'EUR', name: 'cash EUR', opened_at: T0 });
  await openAccount(t.db, { code: 'platform:fx:EUR', type: 'liability', unit: 'EUR', name: 'fx', opened_at: T0 });
  for (let b = 0; b < 7; b++) await openAccount(t.db, { code: HELD(b), type: 'liability', unit: 'USD', name: `held ${b}`, opened_at: T0 });
  await postEntries(t.db, Array.from({ length: entries }, (_, n) => payment(n)));
  return t;
}

/** What a passing verify records (verifyAll does this; here without the pipeline's provenance checks). */
async function record(t: TestDatabase, r: VerifyReport, key = KEY): Promise<VerifiedCheckpoint> {
  assert.equal(r.ok, true, JSON.stringify(r));
  const c = signVerified({ seq: r.head_seq, entry_hash: r.head_hash, lines: r.at.lines, balance_checkpoints: r.at.balance_checkpoints, per_unit: r.at.per_unit, mode: r.mode, from_seq: r.from_seq, verified_at: '2026-12-02T00:00:00.000Z' }, key);
  await recordVerified(t.db, c);
  return c;
}

const dropTriggers = async (t: TestDatabase, table: string, kinds = ['no_update', 'no_delete']) => {
  for (const kind of kinds) {
    const name = `${table}_${kind}`;
    await t.admin.raw(dialectOf(t.admin) === 'mysql' ? `DROP TRIGGER IF EXISTS \`${name}\`` : `DROP TRIGGER IF EXISTS "${name}"`);
  }
};

const FIRST = BALANCE_CHECKPOINT_EVERY_LINES + 40;
const MORE = BALANCE_CHECKPOINT_EVERY_LINES * 2;

for (const dialect of dialects()) {
  describe(`routine verify from a verified checkpoint, on ${dialect}`, () => {
    let t: TestDatabase;
    let v: VerifiedCheckpoint;
    before(async () => {
      t = await ledger(dialect, FIRST);
      v = await record(t, await verifyLedger(t.db));
      await postEntries(t.db, Array.from({ length: MORE }, (_, n) => payment(FIRST + n)));
    });
    after(async () => t.drop());

    test('checks only the entries after it, and ends where a full verify ends (head, per-unit sums, counts)', async () => {
      const routine = await verifyLedgerSince(t.db, v);
      const full = await verifyLedger(t.db);
      assert.equal(routine.ok, true, JSON.stringify(routine));
      assert.equal(routine.mode, 'routine');
      assert.equal(routine.below, 'guarded', 'the recorded checkpoint guards the rows below it: they are not recounted');
      assert.equal(routine.from_seq, FIRST);
      assert.equal(routine.entries, MORE);
      assert.equal(full.entries, FIRST + MORE);
      assert.equal(routine.head_hash, full.head_hash);
      assert.deepEqual(routine.at, full.at);
      assert.ok(routine.checkpoints_checked >= 2 && routine.checkpoints_checked < full.checkpoints_checked, `${routine.checkpoints_checked} of ${full.checkpoints_checked}`);
    });

    test('a forged balance checkpoint after the verified seq is named', async () => {
      await t.db('balance_checkpoints').insert({ account_code: HELD(3), seq: FIRST + 10, line_count: 999, debits_minor: 0, credits_minor: 1 });
      const r = await verifyLedgerSince(t.db, v);
      assert.equal(r.ok, false);
      assert.equal(r.bad_checkpoint?.problem, 'checkpoint_unexpected');
      assert.equal(r.bad_checkpoint?.seq, FIRST + 10);
    });

    test('only a checkpoint signed with the key is trusted: a forged "verified" row at the head is ignored', async () => {
      const full = await verifyLedger(t.db);
      await recordVerified(t.db, signVerified({ ...v, seq: full.head_seq, entry_hash: full.head_hash, lines: full.at.lines, balance_checkpoints: full.at.balance_checkpoints, per_unit: full.at.per_unit }, { keyId: 'k1', secret: 'not-the-anchor-secret!' }));
      const found = await latestVerified(t.db, KEY);
      assert.equal(found.checkpoint?.seq, FIRST);
      assert.equal(found.skipped, 1);
      assert.equal((await latestVerified(t.db)).checkpoint?.seq, FIRST + MORE, 'without a key the newest row counts (the CLI says so)');
    });
  });

  describe(`what a routine verify catches below the verified seq, and what only --full does, on ${dialect}`, () => {
    let t: TestDatabase;
    let v: VerifiedCheckpoint;
    before(async () => {
      t = await ledger(dialect, FIRST);
      v = await record(t, await verifyLedger(t.db));
      await postEntries(t.db, [payment(FIRST)]);
    });
    after(async () => t.drop());

    test('no row can be INSERTed at or below the recorded verified seq, by the app user or an administrator', async () => {
      const forged = [
        ['journal_lines', { entry_seq: 5, line_no: 9, account_code: CASH, unit: 'USD', direction: 'D', amount_minor: 1 }],
        ['journal_lines', { entry_seq: FIRST, line_no: 9, account_code: CASH, unit: 'USD', direction: 'D', amount_minor: 1 }],
        ['balance_checkpoints', { account_code: HELD(3), seq: 10, line_count: 999, debits_minor: 0, credits_minor: 1 }],
        ['journal_entries', { seq: 0, idempotency_key: 'forged', content_hash: 'x', kind: 'payment_received', booking_id: null, occurred_at: T0, description: 'x', reverses_seq: null, meta: '{}', prev_hash: 'x', entry_hash: 'forged' }],
        ['host_entries', { host_id: 'host_x', occurred_at: T0, seq: 3, booking_id: 'bk_3' }],
      ] as const;
      for (const [table, row] of forged) {
        for (const db of [t.db, t.admin]) await assert.rejects(db(table).insert(row), /append-only/, `${table} ${JSON.stringify(row)}`);
      }
      const r = await verifyLedgerSince(t.db, v);
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.below, 'guarded');
    });

    test('the guard dropped (an administrator) and a line INSERTed into an old entry: a guarded routine verify does not see it, --full does', async () => {
      await dropTriggers(t, 'journal_lines', ['guard_verified']);
      await t.db('journal_lines').insert({ entry_seq: 5, line_no: 9, account_code: CASH, unit: 'USD', direction: 'D', amount_minor: 1 });
      assert.equal((await verifyLedgerSince(t.db, v)).ok, true, 'the documented limit of a guarded routine verify: dropping a trigger is an administrator\'s change');
      const full = await verifyLedger(t.db);
      assert.equal(full.first_bad?.problem, 'unbalanced', 'a full verify re-checks entry 5 itself');
      assert.equal(full.first_bad?.seq, 5);
      await dropTriggers(t, 'journal_lines');
      await t.admin('journal_lines').where({ entry_seq: 5, line_no: 9 }).del();
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test('a new entry changed after the verified seq (triggers dropped): routine verify names it', async () => {
      await dropTriggers(t, 'journal_entries');
      await t.admin('journal_entries').where({ seq: FIRST + 1 }).update({ description: 'changed' });
      const r = await verifyLedgerSince(t.db, v);
      assert.equal(r.first_bad?.problem, 'content_hash_mismatch');
      assert.equal(r.first_bad?.seq, FIRST + 1);
      await t.admin('journal_entries').where({ seq: FIRST + 1 }).update({ description: 'payment' });
      assert.equal((await verifyLedgerSince(t.db, v)).ok, true);
    });

    test('an old entry changed IN PLACE (triggers dropped): routine verify does not see it, --full names it', async () => {
      await dropTriggers(t, 'journal_entries');
      await t.admin('journal_entries').where({ seq: 7 }).update({ description: 'changed' });
      assert.equal((await verifyLedgerSince(t.db, v)).ok, true, 'the documented limit of a routine verify');
      const full = await verifyLedger(t.db);
      assert.equal(full.first_bad?.problem, 'content_hash_mismatch');
      assert.equal(full.first_bad?.seq, 7);
    });

    test('the verified entry rewritten (a chain recomputed after an edit): verified_head_rewritten', async () => {
      await t.admin('journal_entries').where({ seq: FIRST }).update({ entry_hash: `sha256:${'1'.repeat(64)}` });
      const r = await verifyLedgerSince(t.db, v);
      assert.equal(r.first_bad?.problem, 'verified_head_rewritten');
      assert.equal(r.first_bad?.seq, FIRST);
    });
  });

  describe(`from a checkpoint never recorded (no guard below it): the old rows are counted, on ${dialect}`, () => {
    test('a line INSERTed into an old entry: the counts below the verified seq differ', async () => {
      const t = await ledger(dialect, FIRST);
      try {
        const r0 = await verifyLedger(t.db);
        const v = signVerified({ seq: r0.head_seq, entry_hash: r0.head_hash, lines: r0.at.lines, balance_checkpoints: r0.at.balance_checkpoints, per_unit: r0.at.per_unit, mode: r0.mode, from_seq: 0, verified_at: '2026-12-02T00:00:00.000Z' });
        await postEntries(t.db, [payment(FIRST)]);
        assert.equal((await verifyLedgerSince(t.db, v)).below, 'counted');
        assert.equal((await verifyLedgerSince(t.db, v)).ok, true);
        await t.db('journal_lines').insert({ entry_seq: 5, line_no: 9, account_code: CASH, unit: 'USD', direction: 'D', amount_minor: 1 });
        const r = await verifyLedgerSince(t.db, v);
        assert.equal(r.first_bad?.problem, 'rows_changed_before_verified');
      } finally {
        await t.drop();
      }
    });
  });

  describe(`a table emptied below a guarded checkpoint (TRUNCATE by an administrator), on ${dialect}`, () => {
    test('the end probes name it: rows_changed_before_verified', async () => {
      const t = await ledger(dialect, FIRST);
      try {
        const v = await record(t, await verifyLedger(t.db));
        await postEntries(t.db, [payment(FIRST)]);
        if (dialect === 'mysql') await t.admin.raw('TRUNCATE TABLE balance_checkpoints');
        else {
          await dropTriggers(t, 'balance_checkpoints');
          await t.admin('balance_checkpoints').del();
        }
        const r = await verifyLedgerSince(t.db, v);
        assert.equal(r.below, 'guarded');
        assert.equal(r.first_bad?.problem, 'rows_changed_before_verified', JSON.stringify(r));
        assert.match(r.first_bad!.detail, /every balance checkpoint/);
      } finally {
        await t.drop();
      }
    });
  });
}
