import { copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
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
let migratedOnly: Promise<string> | null = null;

/** A migrated database with nothing in it (a replay's target): on SQLite a copy of a template made once. */
export async function emptyDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'mysql') return freshDatabase('mysql');
  migratedOnly ??= (async () => {
    const t = await freshDatabase('sqlite');
    await t.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    const file = join(SIM_DIR, `mybnb_sim_empty_${process.pid}_${randomBytes(3).toString('hex')}.sqlite`);
    copyFileSync((t.target as { filename: string }).filename, file);
    await t.drop();
    process.once('exit', () => rmSync(file, { force: true }));
    return file;
  })();
  return copyOf(await migratedOnly);
}

async function makeTemplate(): Promise<string> {
  const t = await freshDatabase('sqlite');
  const s = await startSidecar(testConfig(t), { logger: pino({ level: 'silent' }) });
  await s.stop();
  const file = join(SIM_DIR, `mybnb_sim_template_${process.pid}_${randomBytes(3).toString('hex')}.sqlite`);
  const reopened = openDb(t.target);
  await reopened.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await reopened.destroy();
  copyFileSync((t.target as { filename: string }).filename, file);
  await t.drop();
  process.once('exit', () => rmSync(file, { force: true }));
  return file;
}

/**
 * Where a history's SQLite file lives: tmpfs when the machine has one. The sidecar commits with
 * synchronous = FULL (an fsync per commit, right for money on a real disk); a simulated history is
 * thrown away after its checks, and on tmpfs an fsync costs nothing.
 */
const SIM_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

export async function simDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'mysql') return freshDatabase('mysql');
  template ??= makeTemplate();
  return copyOf(await template);
}

async function copyOf(file: string): Promise<TestDatabase> {
  const dialect = 'sqlite' as const;
  const filename = join(SIM_DIR, `mybnb_sim_${randomBytes(5).toString('hex')}.sqlite`);
  copyFileSync(file, filename);
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
