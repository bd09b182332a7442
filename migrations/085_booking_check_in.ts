import type { Knex } from 'knex';

// Issue #11: a clock tick reads only the bookings whose payout can be due by then, not every paid
// booking awaiting payout (that set holds every future stay and grew without bound per tick). A
// payout is due at the check-in moment plus a delay ≥ 0, and the check-in moment is the check-in
// date's local time, at most 14 h before that date's midnight UTC: so the check-in date of a
// revision (derived from its facts by the database, never written by anyone) bounds it from below.
// A generated column: nothing stored is ever updated, and no writer has to know about it.
export async function up(knex: Knex): Promise<void> {
  if ((knex.client as { config: { client: string } }).config.client === 'mysql2') {
    await knex.raw("ALTER TABLE booking_revisions ADD COLUMN check_in VARCHAR(10) AS (JSON_UNQUOTE(JSON_EXTRACT(facts, '$.check_in'))) VIRTUAL");
  } else {
    await knex.raw("ALTER TABLE booking_revisions ADD COLUMN check_in TEXT GENERATED ALWAYS AS (json_extract(facts, '$.check_in')) VIRTUAL");
  }
  await knex.raw('CREATE INDEX booking_revisions_check_in ON booking_revisions (check_in, booking_id)');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
