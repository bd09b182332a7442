import type { Knex } from 'knex';

// Issue #11, item 4: a host statement lists a period's entries; this index finds them by their event
// time (occurred_at, the stored ISO text, which sorts as time), so a statement reads the period's
// entries and no others, however long the history. booking_id and seq too: the index alone answers
// which entries of the period belong to which booking (no row lookups). An index only: nothing
// stored changes.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX journal_entries_occurred_at_booking ON journal_entries (occurred_at, booking_id, seq)');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
