import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { isDomainError } from '../../kernel/index.js';
import { openAccount, postEntries, postEntry, verifyLedger, type JournalEntryRequest, type PostResult } from './index.js';

const T0 = '2026-09-01T12:00:00Z';
const CASH = 'platform:stripe_balance:USD';
const EUR = 'platform:stripe_balance:EUR';
const held = (b: number) => `booking:bk_${b}:host_share:USD`;
const ACCOUNTS = [
  { code: CASH, type: 'asset' as const, unit: 'USD', name: 'Stripe balance' },
  { code: EUR, type: 'asset' as const, unit: 'EUR', name: 'Stripe balance EUR' },
  ...Array.from({ length: 5 }, (_, b) => ({ code: held(b), type: 'liability' as const, unit: 'USD', name: `Host share bk_${b}` })),
];

function payment(key: string, amount: number, b = key.length % 5, extra: Partial<JournalEntryRequest> = {}): JournalEntryRequest {
  return {
    idempotency_key: key, kind: 'payment_received', booking_id: `bk_${b}`, occurred_at: T0, description: `payment ${key}`,
    meta: { event_id: `evt_${key}`, n: amount },
    lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: amount }, { account: held(b), unit: 'USD', direction: 'C', amount_minor: amount }],
    ...extra,
  };
}

const unbalanced = (key: string) => payment(key, 10, 1, {
  lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: 10 }, { account: held(1), unit: 'USD', direction: 'C', amount_minor: 9 }],
});

async function ledgerWith(dialect: 'sqlite' | 'mysql'): Promise<TestDatabase> {
  const t = await freshDatabase(dialect);
  for (const a of ACCOUNTS) await openAccount(t.db, { ...a, opened_at: T0 });
  return t;
}

async function counts(t: TestDatabase) {
  const e = await t.db('journal_entries').count({ n: '*' }).first();
  const l = await t.db('journal_lines').count({ n: '*' }).first();
  return { entries: Number(e?.n), lines: Number(l?.n) };
}

/** What a result says, without object identity: seq, hashes, replayed. */
const summary = (rs: PostResult[]) => rs.map((r) => ({ seq: r.entry.seq, entry_hash: r.entry.entry_hash, prev_hash: r.entry.prev_hash, replayed: r.replayed }));

for (const dialect of dialects()) {
  describe(`postEntries on ${dialect}`, () => {
    let a: TestDatabase; // posted with postEntries
    let b: TestDatabase; // the same requests through postEntry, one by one, in one transaction per batch
    before(async () => {
      [a, b] = [await ledgerWith(dialect), await ledgerWith(dialect)];
      const first = [payment('p1', 100), payment('p2', 200), payment('p3', 300)];
      await postEntries(a.db, first);
      await b.db.transaction(async (trx) => { for (const r of first) await postEntry(trx, r); });
    });
    after(async () => { await a.drop(); await b.drop(); });

    test('a batch gives what postEntry one by one gives: seqs, hashes, replays (of stored keys and of keys earlier in the batch), reversals', async () => {
      const batch: JournalEntryRequest[] = [
        payment('p4', 400),
        payment('p2', 200), // replay of a stored key
        payment('p5', 500, 2, { occurred_at: '2026-09-01T12:00:00.000Z', reverses_seq: null }),
        payment('p4', 400), // replay of a key earlier in this batch
        payment('p6', 600, 3, { occurred_at: '2026-09-01T13:00:00.5Z' }),
        { ...payment('rev-p4', 400), kind: 'reversal', reverses_seq: 4, lines: payment('p4', 400).lines.map((l) => ({ ...l, direction: l.direction === 'D' ? 'C' : 'D' })) },
        { ...payment('rev-p1', 100), kind: 'reversal', reverses_seq: 1, lines: payment('p1', 100).lines.map((l) => ({ ...l, direction: l.direction === 'D' ? 'C' : 'D' })) },
      ];
      const got = await postEntries(a.db, batch);
      const want = await b.db.transaction(async (trx) => {
        const out: PostResult[] = [];
        for (const r of batch) out.push(await postEntry(trx, r));
        return out;
      });
      assert.deepEqual(summary(got), summary(want));
      assert.deepEqual(got.map((r) => r.replayed), [false, true, false, true, false, false, false]);
      assert.deepEqual(got.map((r) => r.entry.seq), [4, 2, 5, 4, 6, 7, 8]);
      assert.deepEqual(got.map((r) => r.entry), want.map((r) => r.entry), 'whole entries, lines and meta included');
      assert.deepEqual(await counts(a), await counts(b));
      assert.equal((await verifyLedger(a.db)).head_hash, (await verifyLedger(b.db)).head_hash);
    });

    test('a batch of only replays writes nothing and returns the stored entries', async () => {
      const before = await counts(a);
      const got = await postEntries(a.db, [payment('p3', 300), payment('p1', 100), payment('p3', 300)]);
      assert.deepEqual(got.map((r) => [r.entry.seq, r.replayed]), [[3, true], [1, true], [3, true]]);
      assert.deepEqual(await counts(a), before);
    });

    const refused: Array<[string, () => JournalEntryRequest[], string]> = [
      ['a stored key with other content', () => [payment('q1', 1), payment('p2', 201), payment('q2', 2)], 'idempotency_conflict'],
      ['a key repeated in the batch with other content', () => [payment('q1', 1), payment('q2', 2), payment('q1', 3)], 'idempotency_conflict'],
      ['an unbalanced entry in the middle', () => [payment('q1', 1), unbalanced('q2'), payment('q3', 3)], 'unbalanced_entry'],
      ['an unknown account', () => [payment('q1', 1), payment('q2', 2, 0, { lines: [
        { account: CASH, unit: 'USD', direction: 'D', amount_minor: 2 }, { account: 'nowhere:USD', unit: 'USD', direction: 'C', amount_minor: 2 }] })], 'unknown_account'],
      ['a line in another unit than its account', () => [payment('q1', 1), payment('q2', 2, 0, { lines: [
        { account: CASH, unit: 'USD', direction: 'D', amount_minor: 2 }, { account: EUR, unit: 'USD', direction: 'C', amount_minor: 2 }] })], 'currency_mismatch'],
      ['a bad amount', () => [payment('q1', 1), payment('q2', 0)], 'amount_out_of_range'],
      ['one line', () => [payment('q1', 1), payment('q2', 2, 0, { lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: 2 }] })], 'empty_entry'],
      ['a bad time', () => [payment('q1', 1), payment('q2', 2, 0, { occurred_at: 'yesterday' })], 'validation_failed'],
      ['reversing an entry reversed earlier in the batch', () => [
        { ...payment('q1', 100), kind: 'reversal', reverses_seq: 2, lines: payment('p2', 200).lines.map((l) => ({ ...l, direction: l.direction === 'D' ? 'C' : 'D' })) },
        { ...payment('q2', 100), kind: 'reversal', reverses_seq: 2, lines: payment('p2', 200).lines.map((l) => ({ ...l, direction: l.direction === 'D' ? 'C' : 'D' })) },
      ], 'already_reversed'],
      ['reversing an entry already reversed', () => [payment('q1', 1), { ...payment('q2', 100), reverses_seq: 4 }], 'already_reversed'],
      ['reversing an entry that does not exist', () => [payment('q1', 1), { ...payment('q2', 100), reverses_seq: 99 }], 'reversal_target_missing'],
    ];
    for (const [name, batch, code] of refused) {
      test(`refused, nothing of the batch written: ${name} -> ${code} (the same error as postEntry one by one)`, async () => {
        const before = await counts(a);
        await assert.rejects(postEntries(a.db, batch()), (e) => isDomainError(e, code as never));
        assert.deepEqual(await counts(a), before);
        // postEntry one by one in one transaction fails the same way
        await assert.rejects(b.db.transaction(async (trx) => { for (const r of batch()) await postEntry(trx, r); }), (e) => isDomainError(e, code as never));
        assert.deepEqual(await counts(b), before);
      });
    }

    test('the first failing request decides the error, as one by one', async () => {
      await assert.rejects(postEntries(a.db, [payment('q1', 1), unbalanced('q2'), payment('p2', 999)]), (e) => isDomainError(e, 'unbalanced_entry'));
      await assert.rejects(postEntries(a.db, [payment('q1', 1), payment('p2', 999), unbalanced('q2')]), (e) => isDomainError(e, 'idempotency_conflict'));
    });

    test('a batch larger than one statement per table (chunked), inside the caller\'s transaction, chains on', async () => {
      const before = await counts(a);
      const many = Array.from({ length: 1000 }, (_, i) => payment(`big-${i}`, 1 + i));
      const got = await a.db.transaction((trx) => postEntries(trx, many));
      assert.equal(got.length, 1000);
      assert.deepEqual(got.map((r) => r.entry.seq), many.map((_, i) => before.entries + 1 + i));
      for (let i = 1; i < got.length; i++) assert.equal(got[i]!.entry.prev_hash, got[i - 1]!.entry.entry_hash);
      assert.deepEqual(await counts(a), { entries: before.entries + 1000, lines: before.lines + 2000 });
      const report = await verifyLedger(a.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));
      assert.equal(report.head_hash, got[999]!.entry.entry_hash);
    });

    test('concurrent batches and single posts all land, on one verified chain', async () => {
      const before = await counts(a);
      const batches = Array.from({ length: 4 }, (_, w) => Array.from({ length: 25 }, (_, i) => payment(`c${w}-${i}`, 10 + i)));
      await Promise.all([...batches.map((bt) => postEntries(a.db, bt)), postEntry(a.db, payment('c-single', 5))]);
      assert.deepEqual(await counts(a), { entries: before.entries + 101, lines: before.lines + 202 });
      const report = await verifyLedger(a.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));
    });
  });
}
