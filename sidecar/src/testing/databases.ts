import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../db/connect.js';
import type { DatabaseTarget } from '../db/database-url.js';
import { migrateLatest } from '../db/migrate.js';

export type Dialect = 'sqlite' | 'mysql';

export const MYSQL_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
/** The test server's app user. Tests only (127.0.0.1, root without a password): the migration itself has no default. */
export const MYSQL_APP = { user: process.env.MYSQL_APP_USER || 'mybnb_app', password: process.env.MYSQL_APP_PASSWORD || 'mybnb_app_dev_only' };
// Migrations read the app user from the environment (migrations/app-user.ts); tests migrate in-process.
process.env.MYSQL_APP_USER = MYSQL_APP.user;
process.env.MYSQL_APP_PASSWORD = MYSQL_APP.password;

/** The dialects this test run covers. The test runner decides whether MySQL is there (and in CI requires it). */
export function dialects(): Dialect[] {
  return process.env.MYBNB_TEST_MYSQL === '0' ? ['sqlite'] : ['sqlite', 'mysql'];
}

export function mysqlSkipped(): boolean {
  return process.env.MYBNB_TEST_MYSQL === '0';
}

export type TestDatabase = {
  dialect: Dialect;
  /** The service's connection: on MySQL the INSERT/SELECT-only application user. */
  db: Db;
  /** An administrator's connection (root on MySQL), for what only an admin (or an attacker) may do. */
  admin: Db;
  target: DatabaseTarget;
  adminTarget: DatabaseTarget;
  drop: () => Promise<void>;
};

/** A new, migrated database of the given dialect, dropped by `drop()`. */
export async function freshDatabase(dialect: Dialect): Promise<TestDatabase> {
  const name = `mybnb_t_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const filename = join(tmpdir(), `${name}.sqlite`);
    const target: DatabaseTarget = { dialect: 'sqlite', filename };
    const db = openDb(target);
    await migrateLatest(db);
    return {
      dialect, db, admin: db, target, adminTarget: target,
      drop: async () => {
        await db.destroy();
        for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true });
      },
    };
  }
  const server = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: 'test' });
  await server.raw(`CREATE DATABASE \`${name}\``);
  await server.destroy();
  const adminTarget: DatabaseTarget = { dialect: 'mysql', ...MYSQL_ADMIN, database: name };
  const admin = openDb(adminTarget);
  await migrateLatest(admin);
  const target: DatabaseTarget = { dialect: 'mysql', host: MYSQL_ADMIN.host, port: MYSQL_ADMIN.port, ...MYSQL_APP, database: name };
  const db = openDb(target);
  return {
    dialect, db, admin, target, adminTarget,
    drop: async () => {
      await db.destroy();
      await dropDatabase(admin, name);
      await admin.destroy();
    },
  };
}

/**
 * MariaDB sometimes answers a DROP DATABASE under heavy concurrent DDL with errno 39 ("Directory
 * not empty") while it is still removing the tables' files; the same statement succeeds a moment later.
 */
async function dropDatabase(admin: Db, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ER_DB_DROP_RMDIR' || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
