import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// SARI's inbox and the dispatch record: every event stored once; its fate recorded by new rows.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbox_events', (t) => {
    t.increments('id').primary(); // inbox order: the order of the log
    t.string('source', 16).notNullable(); // stripe | booking | policy
    t.string('event_id', 191).notNullable();
    t.string('type', 100).notNullable();
    t.string('stream_key', 191).nullable(); // the booking (or payment) the event belongs to
    t.string('occurred_at', 32).notNullable();
    t.text('payload', 'longtext').notNullable(); // the raw body as received
    t.string('payload_hash', 71).notNullable();
    t.string('received_at', 32).notNullable(); // wall clock, informational only: never decides
    t.unique(['source', 'event_id']);
    t.index(['stream_key', 'id']);
  });

  // One final result per event: processed, ignored or dead_lettered.
  await knex.schema.createTable('event_results', (t) => {
    t.increments('id').primary();
    t.integer('inbox_id').notNullable().unique();
    t.string('status', 16).notNullable();
    t.string('code', 64).nullable();
    t.text('reason').nullable();
  });

  // An event that cannot be processed yet. A new row only when something changed since the last.
  await knex.schema.createTable('event_parkings', (t) => {
    t.increments('id').primary();
    t.integer('inbox_id').notNullable();
    t.integer('after_result_id').notNullable();
    t.string('code', 64).notNullable();
    t.text('reason').notNullable();
    t.unique(['inbox_id', 'after_result_id']);
  });

  for (const table of ['inbox_events', 'event_results', 'event_parkings']) await makeAppendOnly(knex, table);
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
