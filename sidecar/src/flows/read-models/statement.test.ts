import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, total } from '../../testing/events.js';
import { hostStatement } from './statement.js';
import { statementEntries } from './statement-entries.js';

// The statement reads a period's entries through the host index (host_entries), and can read them by
// period or by host (the reads before it; statement-entries.ts): all three must list the same
// bookings with the same entries, for any period, and only the host's.
for (const dialect of dialects()) {
  describe(`host statement on ${dialect}: by host index, by period and by host agree`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await h.engine.event(hostConnected('host_1', 'acct_1HostStmt', '2026-08-01T09:00:00Z'));
      const plan: Array<[string, string, string]> = [
        ['bk_stmt_1', 'host_1', '2026-09-01T10:00:00Z'],
        ['bk_stmt_other', 'host_2', '2026-09-02T10:00:00Z'],
        ['bk_stmt_2', 'host_1', '2026-09-05T23:59:59Z'],
        ['bk_stmt_3', 'host_1', '2026-09-09T00:00:00Z'],
      ];
      for (const [booking_id, host_id, at] of plan) {
        const ev = confirmed(at, { booking_id, host_id, payment_intent_id: 'pi_placeholder' });
        ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } }).id;
        const r = await h.engine.event(ev);
        assert.equal(r.status, 202, r.text);
      }
      await h.settle();
    });
    after(async () => h?.stop());

    test('every period gives the same rows both ways, and only the host\'s bookings', async () => {
      const db = h.t.db;
      const all = await statementEntries(db, 'host_1', '0000-01-01', '9999-12-31', 'host');
      assert.deepEqual(all.map((b) => b.booking_id), ['bk_stmt_1', 'bk_stmt_2', 'bk_stmt_3']);
      assert.ok(all.every((b) => b.entries.length > 0));
      const days = [...new Set(all.flatMap((b) => b.entries.map((e) => e.occurred_at.slice(0, 10))))].sort();
      const periods: Array<[string, string]> = [['0000-01-01', '9999-12-31'], ['2000-01-01', '2000-01-02'], [days[0]!, days[days.length - 1]!]];
      for (const d of days) periods.push([d, d]);
      for (let i = 0; i + 1 < days.length; i++) periods.push([days[i]!, days[i + 1]!]);
      for (const [from, to] of periods) {
        const byPeriod = await statementEntries(db, 'host_1', from, to, 'period');
        const byHost = await statementEntries(db, 'host_1', from, to, 'host');
        assert.deepEqual(byPeriod, byHost, `${from}..${to}`);
        assert.deepEqual(await statementEntries(db, 'host_1', from, to, 'index'), byHost, `${from}..${to} by host index`);
        for (const b of byPeriod) for (const e of b.entries) assert.ok(e.occurred_at.slice(0, 10) >= from && e.occurred_at.slice(0, 10) <= to);
        assert.deepEqual(await hostStatement(db, 'host_1', from, to, 'period'), await hostStatement(db, 'host_1', from, to, 'host'));
        assert.deepEqual(await hostStatement(db, 'host_1', from, to), await hostStatement(db, 'host_1', from, to, 'host'));
      }
      assert.deepEqual(await statementEntries(db, 'host_1', '2000-01-01', '2000-01-02'), []);
      const other = await statementEntries(db, 'host_2', '0000-01-01', '9999-12-31', 'period');
      assert.deepEqual(other.map((b) => b.booking_id), ['bk_stmt_other']);
      assert.deepEqual(await statementEntries(db, 'host_2', '0000-01-01', '9999-12-31'), other);
      // The pipeline wrote the index with the entries (the bookings first in each batch: write-effects.ts).
      const indexed = (await db('host_entries').where({ host_id: 'host_1' }).select('seq')).length;
      assert.equal(indexed, all.reduce((n, b) => n + b.entries.length, 0));
      const full = await hostStatement(db, 'host_1', '0000-01-01', '9999-12-31');
      assert.equal(full.bookings.length, 3);
      assert.ok(full.bookings.every((r) => r.gross_minor > 0));
    });
  });
}
