import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Issue #12, Connect account state: each account.updated as reported (the latest row is current).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('host_account_states', (t) => {
    t.increments('id').primary();
    t.string('stripe_account_id', 80).notNullable().index();
    t.boolean('charges_enabled').notNullable();
    t.boolean('payouts_enabled').notNullable();
    t.string('transfers_capability', 24).notNullable(); // active | inactive | pending | none
    t.string('disabled_reason', 120).nullable();
    t.string('occurred_at', 32).notNullable();
    t.integer('inbox_id').notNullable().unique();
  });
  await makeAppendOnly(knex, 'host_account_states');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
