import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Outbound events to the booking engine (issue #15): the events the ledger announces, the
// operator's endpoints (each change a new version), and every delivery attempt. All append-only.
export async function up(knex: Knex): Promise<void> {
  // Written in the same transaction as the ledger fact it announces. `seq` counts per stream.
  await knex.schema.createTable('outbound_events', (t) => {
    t.increments('id').primary(); // emit order
    t.string('event_id', 64).notNullable().unique(); // evt_…: derived from the fact, the same on replay
    t.string('type', 48).notNullable();
    t.string('stream_key', 191).notNullable(); // booking:<id> or host:<id>
    t.integer('seq').notNullable();
    t.string('booking_id', 120).nullable().index();
    t.string('host_id', 120).nullable();
    t.string('occurred_at', 32).notNullable();
    t.integer('inbox_id').notNullable();
    t.text('body', 'mediumtext').notNullable(); // the exact JSON body every endpoint receives
    t.unique(['stream_key', 'seq']);
  });

  // Endpoints: the latest version of an endpoint_id is its current state.
  await knex.schema.createTable('outbound_endpoints', (t) => {
    t.increments('id').primary();
    t.string('endpoint_id', 40).notNullable();
    t.integer('version').notNullable();
    t.string('url', 2048).notNullable();
    t.text('events').notNullable(); // JSON array of types, or ["*"]
    t.string('status', 16).notNullable(); // enabled | disabled
    t.boolean('allow_private').notNullable();
    // The secret itself is never stored: it is derived from OUTBOUND_SECRETS_KEY and this salt.
    t.string('secret_salt', 64).notNullable();
    t.string('secret_fingerprint', 32).notNullable();
    t.string('previous_secret_salt', 64).nullable(); // signed with too, until previous_valid_until
    t.string('previous_valid_until', 32).nullable();
    t.integer('from_event_row').notNullable(); // events with a larger id are delivered to it
    t.string('change', 24).notNullable(); // added | disabled | enabled | rotated | gone
    t.text('reason').nullable();
    t.string('changed_at', 32).notNullable(); // wall clock, informational
    t.unique(['endpoint_id', 'version']);
  });

  // Every delivery attempt, and every operator re-send (outcome resend), as a new row.
  await knex.schema.createTable('outbound_attempts', (t) => {
    t.increments('id').primary();
    t.string('event_id', 64).notNullable();
    t.string('endpoint_id', 40).notNullable();
    t.integer('round').notNullable(); // 0, then +1 per operator re-send
    t.integer('attempt').notNullable();
    t.string('outcome', 16).notNullable(); // delivered | retryable | dead | gone | resend
    t.integer('http_status').nullable();
    t.string('error_code', 64).nullable();
    t.text('error_message').nullable();
    t.integer('duration_ms').nullable();
    t.string('attempted_at', 32).notNullable();
    t.string('next_attempt_at', 32).nullable();
    t.unique(['event_id', 'endpoint_id', 'round', 'attempt']);
    t.index(['endpoint_id', 'outcome']);
  });

  for (const table of ['outbound_events', 'outbound_endpoints', 'outbound_attempts']) await makeAppendOnly(knex, table);
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
