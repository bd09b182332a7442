import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// What dispatch derives from the log: booking facts, transitions, decisions (evidence), policy
// versions, Stripe object links, the outbox. All append-only: current values are the latest rows.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('policy_versions', (t) => {
    t.increments('id').primary(); // publication order in the log
    t.string('kind', 32).notNullable();
    t.string('policy_id', 64).notNullable();
    t.integer('version').notNullable();
    t.string('hash', 71).notNullable();
    t.text('document', 'mediumtext').notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['kind', 'policy_id', 'version']);
  });

  await knex.schema.createTable('bookings', (t) => {
    t.string('booking_id', 120).primary();
    t.integer('inbox_id').notNullable();
    t.string('guest_id', 120).notNullable().index();
    t.string('host_id', 120).notNullable().index();
    t.string('currency', 3).notNullable();
    t.string('payment_intent_id', 160).notNullable().unique();
    t.string('confirmed_at', 32).notNullable();
    t.text('policies').notNullable(); // canonical JSON: the versions this booking is pinned to
  });

  await knex.schema.createTable('booking_revisions', (t) => {
    t.string('booking_id', 120).notNullable();
    t.integer('revision').notNullable();
    t.integer('inbox_id').notNullable();
    t.text('facts').notNullable(); // canonical JSON of the full booking facts at this revision
    t.primary(['booking_id', 'revision']);
  });

  await knex.schema.createTable('booking_transitions', (t) => {
    t.string('booking_id', 120).notNullable();
    t.integer('step').notNullable();
    t.string('from_state', 32).notNullable();
    t.string('to_state', 32).notNullable();
    t.integer('inbox_id').notNullable();
    t.string('at', 32).notNullable();
    t.primary(['booking_id', 'step']);
  });

  await knex.schema.createTable('booking_flags', (t) => {
    t.increments('id').primary();
    t.string('booking_id', 120).notNullable().index();
    t.integer('inbox_id').notNullable();
    t.string('code', 64).notNullable();
    t.text('reason').notNullable();
    t.unique(['booking_id', 'inbox_id', 'code']);
  });

  await knex.schema.createTable('decisions', (t) => {
    t.string('decision_id', 80).primary();
    t.integer('inbox_id').notNullable().index();
    t.string('event_id', 191).notNullable();
    t.string('booking_id', 120).nullable().index();
    t.string('action', 48).notNullable();
    t.string('actor', 120).nullable();
    t.string('policy', 100).notNullable();
    t.integer('policy_version').notNullable();
    t.string('policy_hash', 71).notNullable();
    t.string('input_hash', 71).notNullable();
    t.text('input', 'mediumtext').notNullable();
    t.boolean('allowed').notNullable();
    t.string('reason', 64).nullable();
    t.text('outcome', 'mediumtext').notNullable();
    t.string('outcome_hash', 71).notNullable();
    t.string('consent_hash', 71).nullable();
    t.string('evaluated_at', 32).notNullable();
    t.string('recorded_at', 32).notNullable();
  });

  await knex.schema.createTable('stripe_objects', (t) => {
    t.string('object_id', 160).primary(); // ch_, re_, tr_, trr_, txn_, pi_
    t.string('kind', 32).notNullable();
    t.string('booking_id', 120).nullable().index();
    t.integer('inbox_id').notNullable();
    t.text('data').notNullable();
  });

  await knex.schema.createTable('host_connections', (t) => {
    t.increments('id').primary();
    t.string('host_id', 120).notNullable().index();
    t.string('stripe_account_id', 80).notNullable().index();
    t.integer('inbox_id').notNullable().unique();
  });

  await knex.schema.createTable('host_subscription_states', (t) => {
    t.increments('id').primary();
    t.string('stripe_account_id', 80).notNullable().index();
    t.string('status', 32).notNullable();
    t.integer('inbox_id').notNullable().unique();
  });

  await knex.schema.createTable('payout_holds', (t) => {
    t.increments('id').primary();
    t.string('booking_id', 120).notNullable().index();
    t.integer('inbox_id').notNullable();
    t.string('code', 64).notNullable();
    t.text('reason').notNullable();
    t.unique(['booking_id', 'inbox_id']);
  });

  await knex.schema.createTable('credit_lots', (t) => {
    t.string('lot_id', 120).primary();
    t.string('guest_id', 120).notNullable().index();
    t.string('booking_id', 120).nullable();
    t.bigInteger('credits').notNullable();
    t.string('earned_at', 32).notNullable();
    t.string('expires_at', 32).notNullable().index();
    t.integer('inbox_id').notNullable();
  });

  await knex.schema.createTable('credit_lot_expiries', (t) => {
    t.string('lot_id', 120).primary();
    t.integer('inbox_id').notNullable();
  });

  // Credits taken from a lot by a redemption, soonest-expiring lot first.
  await knex.schema.createTable('credit_lot_uses', (t) => {
    t.increments('id').primary();
    t.string('lot_id', 120).notNullable().index();
    t.string('booking_id', 120).notNullable();
    t.bigInteger('credits').notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['lot_id', 'booking_id']);
  });

  await knex.schema.createTable('outbox_intents', (t) => {
    t.string('intent_id', 191).primary(); // also the Stripe idempotency key
    t.string('decision_id', 80).notNullable();
    t.string('booking_id', 120).nullable().index();
    t.string('operation', 32).notNullable(); // refund | transfer | transfer_reversal | balance_transaction
    t.text('params').notNullable();
    t.integer('inbox_id').notNullable();
  });

  await knex.schema.createTable('outbox_attempts', (t) => {
    t.increments('id').primary();
    t.string('intent_id', 191).notNullable();
    t.integer('attempt').notNullable();
    t.string('outcome', 24).notNullable(); // succeeded | retryable | failed | exhausted
    t.integer('http_status').nullable();
    t.string('error_code', 120).nullable();
    t.text('error_message').nullable();
    t.string('stripe_object_id', 160).nullable();
    t.string('attempted_at', 32).notNullable(); // wall clock: when the call was made
    t.string('next_attempt_at', 32).nullable();
    t.unique(['intent_id', 'attempt']);
  });

  for (const table of ['policy_versions', 'bookings', 'booking_revisions', 'booking_transitions', 'booking_flags', 'decisions', 'stripe_objects',
    'host_connections', 'host_subscription_states', 'payout_holds', 'credit_lots', 'credit_lot_expiries', 'credit_lot_uses', 'outbox_intents', 'outbox_attempts']) {
    await makeAppendOnly(knex, table);
  }
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
