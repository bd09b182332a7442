import { copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { openDb } from '../db/connect.js';
import { freshDatabase, type Dialect, type TestDatabase } from '../testing/databases.js';
import { startSidecar } from '../server.js';
import { testConfig } from '../testing/harness.js';

/**
 * A database per history. On SQLite a copy of one template file, migrated and with the shipped
 * policies published once per process (a copy costs milliseconds, migrating half a second); on
 * MySQL a fresh database each time.
 */
let template: Promise<string> | null = null;

async function makeTemplate(): Promise<string> {
  const t = await freshDatabase('sqlite');
  const s = await startSidecar(testConfig(t), { logger: pino({ level: 'silent' }) });
  await s.stop();
  const file = join(tmpdir(), `mybnb_sim_template_${process.pid}_${randomBytes(3).toString('hex')}.sqlite`);
  const reopened = openDb(t.target);
  await reopened.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await reopened.destroy();
  copyFileSync((t.target as { filename: string }).filename, file);
  await t.drop();
  process.once('exit', () => rmSync(file, { force: true }));
  return file;
}

export async function simDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'mysql') return freshDatabase('mysql');
  template ??= makeTemplate();
  const filename = join(tmpdir(), `mybnb_sim_${randomBytes(5).toString('hex')}.sqlite`);
  copyFileSync(await template, filename);
  const target = { dialect: 'sqlite' as const, filename };
  const db = openDb(target);
  return {
    dialect, db, admin: db, target, adminTarget: target,
    drop: async () => {
      await db.destroy();
      for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true });
    },
  };
}
