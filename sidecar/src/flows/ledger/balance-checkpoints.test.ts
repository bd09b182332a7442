import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { isAppendOnlyViolation } from '../../db/append-only.js';
import { dialectOf } from '../../db/connect.js';
import { balanceOf, lineTotals, lineTotalsFullSum, openAccount, postEntries, readEntries, verifyLedger, type JournalEntryRequest, type JournalLine } from './index.js';
import { advanceTotals, BALANCE_CHECKPOINT_EVERY_LINES, type Totals } from './balance-checkpoints.js';

const T0 = '2026-09-01T12:00:00Z';

/** A history: entries of 1-3 (debit account, credit account, amount) pairs over 6 accounts, account 0 hot. */
const pairArb = fc.record({ d: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 1 }), c: fc.integer({ min: 1, max: 5 }), amount: fc.integer({ min: 1, max: 5_000_000 }) });
const historyArb = fc.record({
  entries: fc.array(fc.array(pairArb, { minLength: 1, maxLength: 3 }), { minLength: 300, maxLength: 600 }),
  batches: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 20 }),
  asOf: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
});

const TYPES = ['asset', 'liability', 'revenue', 'expense', 'equity', 'liability'] as const;

/** Every checkpoint the rule puts in the ledger, from its entries in seq order (no batching anywhere). */
async function checkpointsByRule(db: TestDatabase['db']) {
  const running = new Map<string, Totals>();
  const out: string[] = [];
  for (const e of await readEntries(db)) for (const c of advanceTotals(running, e.seq, e.lines)) out.push(`${c.account_code}@${c.seq}:${c.lines}/${c.debits}/${c.credits}`);
  return out.sort();
}

async function storedCheckpoints(db: TestDatabase['db']) {
  const rows = (await db('balance_checkpoints').select('*')) as Array<Record<string, unknown>>;
  return rows.map((r) => `${String(r.account_code)}@${Number(r.seq)}:${Number(r.line_count)}/${Number(r.debits_minor)}/${Number(r.credits_minor)}`).sort();
}

for (const dialect of dialects()) {
  describe(`balance checkpoints on ${dialect}`, () => {
    let t: TestDatabase;
    let run = 0;
    before(async () => {
      t = await freshDatabase(dialect);
    });
    after(async () => t.drop());

    test('checkpoint + tail equals the sum over every line, now and as of any seq, across random histories posted in random batches', async () => {
      await fc.assert(
        fc.asyncProperty(historyArb, async ({ entries, batches, asOf }) => {
          const r = run++;
          const code = (i: number) => `test:r${r}:a${i}:USD`;
          for (let i = 0; i < 6; i++) await openAccount(t.db, { code: code(i), type: TYPES[i]!, unit: 'USD', name: `account ${i}`, opened_at: T0 });
          const requests: JournalEntryRequest[] = entries.map((pairs, n) => ({
            idempotency_key: `r${r}-e${n}`, kind: 'payment_received', booking_id: null, occurred_at: T0, description: 'random',
            lines: pairs.flatMap((p): JournalLine[] => [
              { account: code(p.d), unit: 'USD', direction: 'D', amount_minor: p.amount },
              { account: code(p.d === p.c ? (p.c + 1) % 6 : p.c), unit: 'USD', direction: 'C', amount_minor: p.amount },
            ]),
          }));
          let at = 0;
          for (let b = 0; at < requests.length; b++) {
            const size = batches[b % batches.length]!;
            await postEntries(t.db, requests.slice(at, at + size));
            at += size;
          }
          const seqs = ((await t.db('journal_entries').where('idempotency_key', 'like', `r${r}-%`).orderBy('seq').select('seq')) as Array<{ seq: unknown }>).map((x) => Number(x.seq));
          const hotLines = requests.reduce((n, q) => n + q.lines.filter((l) => l.account === code(0)).length, 0);
          for (let i = 0; i < 6; i++) {
            assert.deepEqual(await lineTotals(t.db, code(i)), await lineTotalsFullSum(t.db, code(i)), `account ${i} now`);
            for (const f of asOf) {
              const seq = seqs[Math.min(seqs.length - 1, Math.floor(f * seqs.length))]!;
              assert.deepEqual(await lineTotals(t.db, code(i), { seq }), await lineTotalsFullSum(t.db, code(i), { seq }), `account ${i} as of ${seq}`);
            }
          }
          const hotCheckpoints = await t.db('balance_checkpoints').where('account_code', code(0)).count({ n: '*' }).first();
          assert.equal(Number(hotCheckpoints?.n), Math.floor(hotLines / BALANCE_CHECKPOINT_EVERY_LINES), 'one checkpoint per multiple of the interval (an entry has at most 6 of its lines)');
        }),
        { numRuns: 4, seed: 1101 },
      );
      // Batched any which way, the stored checkpoints are exactly those the rule gives over the entries in seq order.
      assert.deepEqual(await storedCheckpoints(t.db), await checkpointsByRule(t.db));
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.ok(report.checkpoints_checked >= 8, `${report.checkpoints_checked} checkpoints checked`);
    });

    test('balance_checkpoints is append-only: UPDATE and DELETE are refused by the database', async () => {
      // As the administrator (MySQL root): the triggers bind every user, not only the service's INSERT/SELECT one.
      await assert.rejects(t.admin('balance_checkpoints').update({ debits_minor: 1 }), (e: unknown) => isAppendOnlyViolation(e));
      await assert.rejects(t.admin('balance_checkpoints').del(), (e: unknown) => isAppendOnlyViolation(e));
    });
  });

  describe(`verify names a wrong, missing or forged balance checkpoint, on ${dialect}`, () => {
    let t: TestDatabase;
    const CASH = 'platform:stripe_balance:USD';
    const HELD = 'platform:held:USD';
    before(async () => {
      t = await freshDatabase(dialect);
      await openAccount(t.db, { code: CASH, type: 'asset', unit: 'USD', name: 'cash', opened_at: T0 });
      await openAccount(t.db, { code: HELD, type: 'liability', unit: 'USD', name: 'held', opened_at: T0 });
      const reqs: JournalEntryRequest[] = Array.from({ length: BALANCE_CHECKPOINT_EVERY_LINES * 2 + 10 }, (_, n) => ({
        idempotency_key: `p${n}`, kind: 'payment_received', booking_id: null, occurred_at: T0, description: 'p',
        lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: 100 + n }, { account: HELD, unit: 'USD', direction: 'C', amount_minor: 100 + n }],
      }));
      await postEntries(t.db, reqs);
    });
    after(async () => t.drop());

    const dropTrigger = async (op: 'update' | 'delete') => {
      const name = `balance_checkpoints_no_${op}`;
      await t.admin.raw(dialectOf(t.admin) === 'mysql' ? `DROP TRIGGER IF EXISTS \`${name}\`` : `DROP TRIGGER IF EXISTS "${name}"`);
    };

    test('a sound ledger: every checkpoint recomputed, balance read from checkpoint + tail', async () => {
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.checkpoints_checked, 4); // CASH and HELD at 256 and 512 lines
      const b = await balanceOf(t.db, CASH);
      assert.equal(b.debits_minor, (await lineTotalsFullSum(t.db, CASH)).debits);
    });

    test('a forged checkpoint (INSERT is all it takes) moves the balance read, and verify names it', async () => {
      const head = BALANCE_CHECKPOINT_EVERY_LINES * 2 + 10;
      await t.db('balance_checkpoints').insert({ account_code: CASH, seq: head, line_count: head, debits_minor: 1, credits_minor: 0 });
      assert.equal((await balanceOf(t.db, CASH)).balance_minor, 1n, 'reads trust the newest checkpoint: that is why verify checks them');
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, false);
      assert.equal(report.bad_checkpoint?.problem, 'checkpoint_unexpected');
      assert.equal(report.bad_checkpoint?.seq, head);
      assert.equal(report.bad_checkpoint?.account, CASH);
      await t.db('balance_checkpoints').insert({ account_code: HELD, seq: head + 5, line_count: 1, debits_minor: 0, credits_minor: 0 });
      const later = await verifyLedger(t.db);
      assert.equal(later.bad_checkpoint?.problem, 'checkpoint_unexpected', 'the first bad one in seq order is still named');
      await dropTrigger('delete');
      await t.admin('balance_checkpoints').where({ seq: head }).del();
      assert.equal((await verifyLedger(t.db)).bad_checkpoint?.problem, 'orphan_checkpoints');
      await t.admin('balance_checkpoints').where({ seq: head + 5 }).del();
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    test('a checkpoint whose totals were changed is checkpoint_wrong; one removed is checkpoint_missing', async () => {
      await dropTrigger('update');
      const seq = Number(((await t.db('balance_checkpoints').where({ account_code: HELD }).orderBy('seq').first('seq')) as { seq: unknown }).seq);
      await t.admin('balance_checkpoints').where({ account_code: HELD, seq }).update({ credits_minor: 7 });
      let report = await verifyLedger(t.db);
      assert.equal(report.bad_checkpoint?.problem, 'checkpoint_wrong');
      assert.equal(report.bad_checkpoint?.account, HELD);
      assert.equal(report.bad_checkpoint?.seq, seq);
      await t.admin('balance_checkpoints').where({ account_code: HELD, seq }).del();
      report = await verifyLedger(t.db);
      assert.equal(report.bad_checkpoint?.problem, 'checkpoint_missing');
      assert.equal(report.bad_checkpoint?.seq, seq);
    });
  });
}
