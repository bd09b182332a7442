import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Host subscriptions (issue #14): links to hosts, every reported state, invoices' lifecycle,
// deferred-revenue schedules and their recognition, dunning steps. Append-only like every table:
// the current value of anything is its latest row.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('host_subscriptions', (t) => {
    t.string('subscription_id', 120).primary();
    t.string('host_id', 120).notNullable().index();
    t.string('customer', 120).notNullable().index();
    t.string('currency', 3).notNullable();
    t.string('linked_by', 32).notNullable(); // metadata.host_id | metadata.host_account | customer
    t.text('policy').notNullable(); // the pinned subscription policy {kind, id, version, hash}
    t.integer('inbox_id').notNullable();
  });

  await knex.schema.createTable('subscription_snapshots', (t) => {
    t.increments('id').primary();
    t.string('subscription_id', 120).notNullable().index();
    t.string('state', 24).notNullable();
    t.string('price', 120).notNullable();
    t.string('item_id', 120).notNullable();
    t.integer('quantity').notNullable();
    t.string('period_start', 32).notNullable();
    t.string('period_end', 32).notNullable();
    t.string('reported_at', 32).notNullable(); // the Stripe event's own time: older reports never overwrite newer
    t.integer('inbox_id').notNullable();
  });

  await knex.schema.createTable('subscription_invoice_events', (t) => {
    t.increments('id').primary();
    t.string('invoice_id', 120).notNullable().index();
    t.string('subscription_id', 120).notNullable().index();
    t.string('status', 32).notNullable(); // finalized | paid | payment_failed | void | uncollectible | offset
    t.bigInteger('amount_remaining_minor').notNullable();
    t.string('at', 32).notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['invoice_id', 'status', 'inbox_id']);
  });

  await knex.schema.createTable('revenue_schedules', (t) => {
    t.string('schedule_id', 191).primary(); // <invoice>:<line>
    t.string('invoice_id', 120).notNullable().index();
    t.string('host_id', 120).notNullable();
    t.string('currency', 3).notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.string('period_start', 32).notNullable();
    t.string('period_end', 32).notNullable();
    t.integer('inbox_id').notNullable();
  });

  await knex.schema.createTable('revenue_recognitions', (t) => {
    t.increments('id').primary();
    t.string('schedule_id', 191).notNullable().index();
    t.integer('through_day').notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['schedule_id', 'through_day']);
  });

  await knex.schema.createTable('dunning_steps', (t) => {
    t.increments('id').primary();
    t.string('host_id', 120).notNullable().index();
    t.string('subscription_id', 120).notNullable();
    t.string('episode', 64).notNullable(); // overdue since (ISO): one dunning episode per overdue run
    t.string('step', 24).notNullable(); // hold | offset | unbookable | release
    t.string('decision_id', 80).notNullable();
    t.string('at', 32).notNullable();
    t.integer('inbox_id').notNullable();
    t.unique(['subscription_id', 'episode', 'step']);
  });

  for (const table of ['host_subscriptions', 'subscription_snapshots', 'subscription_invoice_events', 'revenue_schedules', 'revenue_recognitions', 'dunning_steps']) {
    await makeAppendOnly(knex, table);
  }
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
