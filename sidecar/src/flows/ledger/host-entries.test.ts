import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { insertRows } from './multi-row-insert.js';
import { openAccount, postEntries, postEntry, recordVerified, signVerified, verifyLedger, verifyLedgerSince, type JournalEntryRequest } from './index.js';

// The host index (host_entries, migration 087): written by postEntries with every entry of a stored
// booking, the same rows however the entries are batched, and checked by verify both ways.
const T0 = Date.parse('2026-09-01T00:00:00Z');
const CASH = 'platform:stripe_balance:USD';
const SHARE = 'platform:held:USD';
const BOOKINGS = [['bk_a', 'host_1'], ['bk_b', 'host_2'], ['bk_c', 'host_1']] as const;

const entry = (n: number, booking_id: string | null): JournalEntryRequest => ({
  idempotency_key: `e${n}`, kind: 'payment_received', booking_id, occurred_at: new Date(T0 + n * 3_600_000).toISOString(), description: 'payment',
  lines: [{ account: CASH, unit: 'USD', direction: 'D', amount_minor: 100 + n }, { account: SHARE, unit: 'USD', direction: 'C', amount_minor: 100 + n }],
});
// Entries of stored bookings, one of no booking, one of a booking never stored.
const HISTORY = Array.from({ length: 12 }, (_, n) => entry(n, n === 4 ? null : n === 7 ? 'bk_unknown' : BOOKINGS[n % 3]![0]));

async function ledger(dialect: 'sqlite' | 'mysql'): Promise<TestDatabase> {
  const t = await freshDatabase(dialect);
  await openAccount(t.db, { code: CASH, type: 'asset', unit: 'USD', name: 'cash', opened_at: '2026-09-01T00:00:00Z' });
  await openAccount(t.db, { code: SHARE, type: 'liability', unit: 'USD', name: 'held', opened_at: '2026-09-01T00:00:00Z' });
  await insertRows(t.db, 'bookings', ['booking_id', 'inbox_id', 'guest_id', 'host_id', 'currency', 'payment_intent_id', 'confirmed_at', 'policies'],
    BOOKINGS.map(([b, h], i) => [b, i + 1, 'guest_1', h, 'USD', `pi_${b}`, '2026-09-01T00:00:00.000Z', '{}']));
  return t;
}

const hostRows = async (t: TestDatabase) => (await t.db('host_entries').orderBy('seq').select('host_id', 'occurred_at', 'seq', 'booking_id'))
  .map((r: Record<string, unknown>) => ({ ...r, seq: Number(r.seq) }));

for (const dialect of dialects()) {
  describe(`host index (host_entries) on ${dialect}`, () => {
    let batched: TestDatabase;
    let single: TestDatabase;
    before(async () => {
      batched = await ledger(dialect);
      single = await ledger(dialect);
      await postEntries(batched.db, HISTORY);
      for (const r of HISTORY) await postEntry(single.db, r);
    });
    after(async () => {
      await batched?.drop();
      await single?.drop();
    });

    test('one row per entry of a stored booking, with its host and time; the same rows whatever the batching', async () => {
      const rows = await hostRows(batched);
      const expected = HISTORY.map((r, i) => ({ r, seq: i + 1 }))
        .filter(({ r }) => BOOKINGS.some(([b]) => b === r.booking_id))
        .map(({ r, seq }) => ({ host_id: BOOKINGS.find(([b]) => b === r.booking_id)![1], occurred_at: r.occurred_at, seq, booking_id: r.booking_id }));
      assert.equal(expected.length, 10);
      assert.deepEqual(rows, expected);
      assert.deepEqual(await hostRows(single), rows);
      assert.equal((await verifyLedger(batched.db)).ok, true);
    });

    test('verify names a host row that indexes nothing, and an entry of a booking without its row', async () => {
      const t = await ledger(dialect);
      try {
        await postEntries(t.db, HISTORY.slice(0, 3));
        const full = await verifyLedger(t.db);
        assert.equal(full.ok, true, JSON.stringify(full));
        const v = signVerified({ seq: full.head_seq, entry_hash: full.head_hash, lines: full.at.lines, balance_checkpoints: full.at.balance_checkpoints, per_unit: full.at.per_unit, mode: 'full', from_seq: 0, verified_at: '2026-12-02T00:00:00.000Z' });
        await recordVerified(t.db, v);
        // A forged row past the verified seq (the guard refuses one at or below it).
        await assert.rejects(t.db('host_entries').insert({ host_id: 'host_9', occurred_at: HISTORY[0]!.occurred_at, seq: 2, booking_id: 'bk_a' }), /append-only/);
        await postEntries(t.db, [HISTORY[4]!]); // no booking: no row
        await t.db('host_entries').insert({ host_id: 'host_9', occurred_at: HISTORY[4]!.occurred_at, seq: 4, booking_id: 'bk_a' });
        const routine = await verifyLedgerSince(t.db, v);
        assert.equal(routine.first_bad?.problem, 'host_index_mismatch', JSON.stringify(routine));
        assert.equal(routine.first_bad?.seq, 4);
        assert.equal((await verifyLedger(t.db)).first_bad?.problem, 'host_index_mismatch');
      } finally {
        await t.drop();
      }
      const u = await ledger(dialect);
      try {
        // An entry posted before its booking was stored gets no row; once the booking is there, verify names the gap.
        await postEntries(u.db, [entry(0, 'bk_late')]);
        assert.equal((await verifyLedger(u.db)).ok, true);
        await insertRows(u.db, 'bookings', ['booking_id', 'inbox_id', 'guest_id', 'host_id', 'currency', 'payment_intent_id', 'confirmed_at', 'policies'], [['bk_late', 9, 'g', 'host_3', 'USD', 'pi_late', '2026-09-01T00:00:00.000Z', '{}']]);
        const r = await verifyLedger(u.db);
        assert.equal(r.first_bad?.problem, 'host_index_mismatch');
        assert.equal(r.first_bad?.seq, 1);
      } finally {
        await u.drop();
      }
    });
  });
}
