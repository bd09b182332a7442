import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

/**
 * The dispatch lease (issue 11): which replica dispatches. Append-only like everything else: a
 * replica takes the lease by inserting the next epoch (unique: one winner) and keeps it by
 * inserting beats; another takes over when the last beat is older than the lease's time to live.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dispatch_lease', (t) => {
    t.increments('id').primary();
    t.integer('epoch').notNullable();
    t.integer('beat').notNullable();
    t.string('holder', 160).notNullable();
    t.bigInteger('at_ms').notNullable(); // the holder's wall clock: liveness only, never decides money
    t.unique(['epoch', 'beat']);
  });
  await makeAppendOnly(knex, 'dispatch_lease');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
