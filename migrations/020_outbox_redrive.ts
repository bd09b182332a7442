import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Issue #12, re-drive by policy: Stripe's request id on every attempt; failed attempts as the log
// saw them; rounds opened by the retry schedule or by money.retry_requested; terminal decisions.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_attempts', (t) => {
    t.string('request_id', 120).nullable(); // Stripe's Request-Id of the call (null: no answer)
  });

  // One row per failed attempt, written by dispatch from the log (stripe_api outbox.attempt_failed).
  await knex.schema.createTable('outbox_failures', (t) => {
    t.increments('id').primary();
    t.string('intent_id', 191).notNullable().index();
    t.integer('attempt').notNullable();
    t.boolean('round_ended').notNullable();
    t.boolean('retryable').notNullable(); // as the retry policy classifies it
    t.integer('http_status').nullable();
    t.string('error_code', 120).nullable();
    t.text('error_message').nullable();
    t.string('request_id', 120).nullable();
    t.integer('inbox_id').notNullable();
    t.string('occurred_at', 32).notNullable();
    t.unique(['intent_id', 'attempt']);
  });

  // A further round for an intent: the worker may call again (same idempotency key).
  await knex.schema.createTable('outbox_redrives', (t) => {
    t.increments('id').primary();
    t.string('intent_id', 191).notNullable().index();
    t.integer('round').notNullable();
    t.string('reason', 24).notNullable(); // schedule | retry_requested
    t.boolean('lookup_first').notNullable(); // past the key lifetime: ask Stripe what exists first
    t.string('granted_at', 32).notNullable(); // event time
    t.string('decision_id', 80).notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['intent_id', 'round']);
  });

  // A terminal failure decided by the retry policy (the intent stays failed until re-opened).
  await knex.schema.createTable('outbox_terminals', (t) => {
    t.increments('id').primary();
    t.string('intent_id', 191).notNullable().index();
    t.integer('round').notNullable();
    t.string('reason', 32).notNullable(); // terminal_error | schedule_exhausted
    t.string('decision_id', 80).notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['intent_id', 'round']);
  });

  for (const table of ['outbox_failures', 'outbox_redrives', 'outbox_terminals']) await makeAppendOnly(knex, table);
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
