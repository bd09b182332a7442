import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';
import { appUserFromEnv, type AppUser } from './app-user.js';

// The double-entry ledger: accounts, journal entries, journal lines. Hash-chained, append-only.
export async function up(knex: Knex): Promise<void> {
  // Checked before the first table: MySQL DDL is not transactional, so a refusal must come first.
  const isMysql = (knex.client as { config: { client: string } }).config.client === 'mysql2';
  const appUser = isMysql ? appUserFromEnv() : null;

  await knex.schema.createTable('accounts', (t) => {
    t.increments('id').primary();
    t.string('code', 191).notNullable().unique();
    t.string('type', 16).notNullable(); // asset | liability | revenue | expense | equity
    t.string('unit', 8).notNullable(); // ISO 4217 currency or a non-cash unit (CREDIT)
    t.string('name', 255).notNullable();
    t.string('opened_at', 32).notNullable(); // event time of the entry that first needed it
  });

  await knex.schema.createTable('journal_entries', (t) => {
    t.bigInteger('seq').primary(); // 1, 2, 3 … assigned under a unique key: the chain's order
    t.string('idempotency_key', 191).notNullable().unique();
    t.string('content_hash', 71).notNullable(); // hash of the posting request (idempotency check)
    t.string('kind', 64).notNullable();
    t.string('booking_id', 191).nullable().index();
    t.string('occurred_at', 32).notNullable();
    t.text('description').notNullable();
    t.bigInteger('reverses_seq').nullable().unique(); // an entry is reversed at most once
    t.text('meta').notNullable(); // canonical JSON: event and decision references
    t.string('prev_hash', 71).notNullable();
    t.string('entry_hash', 71).notNullable().unique();
  });

  await knex.schema.createTable('journal_lines', (t) => {
    t.bigInteger('entry_seq').notNullable();
    t.integer('line_no').notNullable();
    t.string('account_code', 191).notNullable();
    t.string('unit', 8).notNullable();
    t.string('direction', 1).notNullable(); // D | C
    t.bigInteger('amount_minor').notNullable();
    t.primary(['entry_seq', 'line_no']);
    t.index(['account_code', 'entry_seq']);
  });

  for (const table of ['accounts', 'journal_entries', 'journal_lines', 'knex_migrations']) {
    await makeAppendOnly(knex, table);
  }

  if (appUser) await createAppUser(knex, appUser);
}

/**
 * The service connects as this user: INSERT and SELECT only, so even a bug (or an attacker with the
 * service's credentials) cannot issue UPDATE or DELETE. Migrations run as an administrator.
 */
async function createAppUser(knex: Knex, { user, password }: AppUser): Promise<void> {
  const [rows] = (await knex.raw('SELECT DATABASE() AS db')) as [Array<{ db: string }>];
  const db = rows[0]!.db;
  for (const host of ['%', 'localhost']) {
    await knex.raw('CREATE USER IF NOT EXISTS ??@?? IDENTIFIED BY ?', [user, host, password]);
    await knex.raw(`GRANT SELECT, INSERT ON \`${db}\`.* TO ??@??`, [user, host]);
  }
}

export async function down(): Promise<void> {
  throw new Error('the ledger is append-only: migrations are never rolled back; write a new migration');
}
