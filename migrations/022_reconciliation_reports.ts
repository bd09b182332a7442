import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Issue #12, the daily reconciliation: each day's report as the run read it from Stripe and the
// ledger (logged as stripe_api reconciliation_report:<day>), stored once, never adjusted.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reconciliation_reports', (t) => {
    t.increments('id').primary();
    t.string('report_id', 64).notNullable().unique(); // the day, YYYY-MM-DD (UTC)
    t.string('period_from', 32).notNullable();
    t.string('period_to', 32).notNullable(); // exclusive
    t.boolean('ok').notNullable();
    t.integer('differences').notNullable(); // how many named differences
    t.text('counts').notNullable(); // canonical JSON: per category
    t.text('report', 'longtext').notNullable(); // canonical JSON of the report as logged
    t.string('report_hash', 71).notNullable();
    t.integer('inbox_id').notNullable();
  });
  await makeAppendOnly(knex, 'reconciliation_reports');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
