import type { Db } from './connect.js';
import { MIGRATIONS, migrationSource } from '../../../migrations/index.js';
import { appUserFromEnv } from '../../../migrations/app-user.js';

export async function migrateLatest(db: Db): Promise<string[]> {
  // On MySQL the first migration creates the app user: refuse before knex writes anything without its password.
  if ((db.client as { config: { client: string } }).config.client === 'mysql2' && (await pendingMigrations(db)).includes('001_ledger')) appUserFromEnv();
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Names of migrations not yet applied, read with SELECT only (works as the INSERT/SELECT app user). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const hasTable = await db.schema.hasTable('knex_migrations');
  if (!hasTable) return MIGRATIONS.map(([n]) => n);
  const rows = (await db('knex_migrations').select('name')) as Array<{ name: string }>;
  const done = new Set(rows.map((r) => r.name));
  return MIGRATIONS.map(([n]) => n).filter((n) => !done.has(n));
}
