/**
 * Migrations 087 and 088 on a database that already holds entries: 087 fills the host index with
 * the rows postEntries would have written (one per entry of a stored booking), and 088's guard then
 * refuses a row at or below a recorded verified checkpoint. Both dialects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../sidecar/src/db/connect.js';
import { dialects, MYSQL_ADMIN } from '../sidecar/src/testing/databases.js';
import { MIGRATIONS, migrationSource } from './index.js';

const BEFORE = MIGRATIONS.findIndex(([name]) => name === '086_entries_by_time') + 1;

async function database(dialect: 'sqlite' | 'mysql'): Promise<{ db: Db; drop: () => Promise<void> }> {
  const name = `mybnb_t_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const filename = join(tmpdir(), `${name}.sqlite`);
    const db = openDb({ dialect: 'sqlite', filename });
    return { db, drop: async () => { await db.destroy(); for (const s of ['', '-wal', '-shm']) rmSync(filename + s, { force: true }); } };
  }
  const server = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: 'test' });
  await server.raw(`CREATE DATABASE \`${name}\``);
  await server.destroy();
  const db = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: name });
  return { db, drop: async () => { await db.raw(`DROP DATABASE IF EXISTS \`${name}\``); await db.destroy(); } };
}

const entry = (seq: number, booking_id: string | null) => ({
  seq, idempotency_key: `k${seq}`, content_hash: `c${seq}`, kind: 'payment_received', booking_id, occurred_at: `2026-09-0${seq}T10:00:00.000Z`,
  description: 'd', reverses_seq: null, meta: '{}', prev_hash: `p${seq}`, entry_hash: `h${seq}`,
});

for (const dialect of dialects()) {
  test(`087 fills the host index from the stored entries, 088 guards below a verified checkpoint, on ${dialect}`, async () => {
    const { db, drop } = await database(dialect);
    try {
      for (let i = 0; i < BEFORE; i++) await db.migrate.up({ migrationSource });
      assert.equal((await db('knex_migrations').orderBy('id', 'desc').first('name') as { name: string }).name, '086_entries_by_time');
      await db('bookings').insert([
        { booking_id: 'bk_1', inbox_id: 1, guest_id: 'g', host_id: 'host_1', currency: 'USD', payment_intent_id: 'pi_1', confirmed_at: '2026-09-01T00:00:00.000Z', policies: '{}' },
        { booking_id: 'bk_2', inbox_id: 2, guest_id: 'g', host_id: 'host_2', currency: 'USD', payment_intent_id: 'pi_2', confirmed_at: '2026-09-01T00:00:00.000Z', policies: '{}' },
      ]);
      await db('journal_entries').insert([entry(1, 'bk_1'), entry(2, null), entry(3, 'bk_2'), entry(4, 'bk_unknown'), entry(5, 'bk_1')]);
      await db.migrate.latest({ migrationSource });
      const rows = (await db('host_entries').orderBy('seq').select('host_id', 'occurred_at', 'seq', 'booking_id')).map((r: Record<string, unknown>) => ({ ...r, seq: Number(r.seq) }));
      assert.deepEqual(rows, [
        { host_id: 'host_1', occurred_at: entry(1, null).occurred_at, seq: 1, booking_id: 'bk_1' },
        { host_id: 'host_2', occurred_at: entry(3, null).occurred_at, seq: 3, booking_id: 'bk_2' },
        { host_id: 'host_1', occurred_at: entry(5, null).occurred_at, seq: 5, booking_id: 'bk_1' },
      ]);
      // Nothing verified yet: a row may be added anywhere (the chain is verify's business).
      await db('journal_lines').insert({ entry_seq: 1, line_no: 1, account_code: 'a', unit: 'USD', direction: 'D', amount_minor: 1 });
      await db('verified_checkpoints').insert({ seq: 3, entry_hash: 'h3', lines: 1, balance_checkpoints: 0, per_unit: '[]', mode: 'full', from_seq: 0, verified_at: '2026-12-02T00:00:00.000Z' });
      for (const [table, row] of [
        ['journal_lines', { entry_seq: 3, line_no: 1, account_code: 'a', unit: 'USD', direction: 'C', amount_minor: 1 }],
        ['journal_entries', entry(0, null)],
        ['balance_checkpoints', { account_code: 'a', seq: 2, line_count: 1, debits_minor: 1, credits_minor: 0 }],
        ['host_entries', { host_id: 'host_2', occurred_at: entry(2, null).occurred_at, seq: 2, booking_id: 'bk_2' }],
      ] as const) await assert.rejects(db(table).insert(row), /append-only/, table);
      // Past it, posting goes on.
      await db('journal_lines').insert({ entry_seq: 4, line_no: 1, account_code: 'a', unit: 'USD', direction: 'C', amount_minor: 1 });
      await db('balance_checkpoints').insert({ account_code: 'a', seq: 4, line_count: 2, debits_minor: 1, credits_minor: 1 });
    } finally {
      await drop();
    }
  });
}
