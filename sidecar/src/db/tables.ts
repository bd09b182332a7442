import { dialectOf, type Db } from './connect.js';

/** Every table in the database (knex's own included), sorted. */
export async function listTables(db: Db): Promise<string[]> {
  if (dialectOf(db) === 'mysql') {
    const [rows] = (await db.raw('SHOW TABLES')) as [Array<Record<string, string>>];
    return rows.map((r) => Object.values(r)[0]!).sort();
  }
  const rows = (await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) as Array<{ name: string }>;
  return rows.map((r) => r.name).sort();
}

/** The one table allowed to change: knex's migration lock flag. */
export const MUTABLE_TABLES = ['knex_migrations_lock'];
