import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Issue #11, item 10: a host statement reads the host's entries in its period and no others. Entries
// do not carry the host (the host belongs to the booking), so postEntries writes, with each entry
// of a booking, one row here: the booking's host, the entry's event time and seq — derived, in the
// same transaction, deterministic (the booking's host never changes), checked by verify against the
// entries and bookings. The primary key is the index the statement reads: (host, time, seq).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('host_entries', (t) => {
    t.string('host_id', 120).notNullable();
    t.string('occurred_at', 32).notNullable(); // the entry's, as stored (ISO text sorts as time)
    t.bigInteger('seq').notNullable().unique(); // one row per entry at most; verify pages by it
    t.string('booking_id', 120).notNullable();
    t.primary(['host_id', 'occurred_at', 'seq']);
  });
  await makeAppendOnly(knex, 'host_entries');
  // The entries posted before this migration: the same rows postEntries would have written.
  await knex.raw(`INSERT INTO host_entries (host_id, occurred_at, seq, booking_id)
    SELECT b.host_id, e.occurred_at, e.seq, e.booking_id FROM journal_entries e JOIN bookings b ON b.booking_id = e.booking_id ORDER BY e.seq`);
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
