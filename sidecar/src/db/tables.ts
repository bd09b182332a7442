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

/**
 * Columns the database computes itself (generated columns, e.g. 085's `booking_revisions.check_in`):
 * derived data, never written by us. SQLite's table_info already leaves them out; MySQL/MariaDB list
 * them, and a strict server refuses an INSERT that names one.
 */
export async function generatedColumns(db: Db, table: string): Promise<Set<string>> {
  if (dialectOf(db) !== 'mysql') return new Set();
  const [rows] = (await db.raw(
    "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COALESCE(GENERATION_EXPRESSION, '') <> ''",
    [table],
  )) as [Array<{ name: string }>];
  return new Set(rows.map((r) => r.name));
}
