import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// The built-in clock's lease (issue #16): one ticker across replicas. A claim is a new row with an
// expiry on the wall clock; the newest unexpired claim holds the lease. Nothing is ever updated:
// renewing is claiming again. The ticks themselves are ordinary inbox events (source `clock`).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clock_lease_claims', (t) => {
    t.increments('id').primary(); // claim order: the newest valid claim wins
    t.string('holder', 120).notNullable();
    t.bigInteger('claimed_at_ms').notNullable();
    t.bigInteger('expires_at_ms').notNullable();
    t.index(['expires_at_ms']);
  });
  await makeAppendOnly(knex, 'clock_lease_claims');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
