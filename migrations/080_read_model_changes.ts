import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Issue #11 item 3, previews from memory: which subjects each dispatch batch changed, written in the
// batch's own transaction. A row's id is a log position: a read model that has followed the rows up
// to id N knows every booking (and every published policy) changed up to N, in any process.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('read_model_changes', (t) => {
    t.increments('id').primary(); // the position read models are invalidated by
    t.string('kind', 16).notNullable(); // booking | policy
    t.string('subject', 191).notNullable(); // the booking id, or the policy kind published
  });
  await makeAppendOnly(knex, 'read_model_changes');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
