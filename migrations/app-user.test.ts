/**
 * Issue #10: no default password for the MySQL app user. `npm run migrate` (the CLI) without
 * MYSQL_APP_PASSWORD refuses on MySQL, names the variable and creates nothing — not even knex's
 * bookkeeping tables — and migration 001 refuses on its own too. SQLite has no app user: it migrates.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../sidecar/src/db/connect.js';
import { dialects, MYSQL_ADMIN } from '../sidecar/src/testing/databases.js';
import { cleanEnv, runEntry } from '../sidecar/src/testing/spawn-main.js';
import { appUserFromEnv } from './app-user.js';
import * as m001 from './001_ledger.js';

test('appUserFromEnv: no password, no user; the name defaults, the password never does', () => {
  assert.throws(() => appUserFromEnv({}), /MYSQL_APP_PASSWORD is not set/);
  assert.throws(() => appUserFromEnv({ MYSQL_APP_USER: 'svc', MYSQL_APP_PASSWORD: '' }), /MYSQL_APP_PASSWORD/);
  assert.deepEqual(appUserFromEnv({ MYSQL_APP_PASSWORD: 'pw-0123456789' }), { user: 'mybnb_app', password: 'pw-0123456789' });
  assert.deepEqual(appUserFromEnv({ MYSQL_APP_USER: 'svc', MYSQL_APP_PASSWORD: 'pw' }), { user: 'svc', password: 'pw' });
});

for (const dialect of dialects()) {
  describe(`npm run migrate without MYSQL_APP_PASSWORD on ${dialect}`, () => {
    let cwd: string;
    let name: string;
    let admin: Db | null = null;
    const tables = async (): Promise<number> => Number(((await admin!.raw('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [name])) as [Array<{ n: number | string }>])[0][0]!.n);

    before(async () => {
      cwd = mkdtempSync(join(tmpdir(), 'mybnb-migrate-'));
      name = `mybnb_t_nopw_${process.pid}`;
      if (dialect === 'mysql') {
        const server = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: 'test' });
        await server.raw(`CREATE DATABASE \`${name}\``);
        await server.destroy();
        admin = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: name });
      }
    });
    after(async () => {
      if (admin) {
        await admin.raw(`DROP DATABASE \`${name}\``);
        await admin.destroy();
      }
      rmSync(cwd, { recursive: true, force: true });
    });

    if (dialect === 'sqlite') {
      test('SQLite has no app user: the migration runs without a password', { timeout: 120_000 }, async () => {
        const file = join(cwd, 'ledger.sqlite');
        const r = await runEntry('cli', ['migrate'], { cwd, env: cleanEnv({ DATABASE_URL: `sqlite:${file}` }) });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /applied: 001_ledger/);
        assert.ok(existsSync(file));
      });
      return;
    }

    test('the CLI refuses, names MYSQL_APP_PASSWORD, and the database has no table', { timeout: 120_000 }, async () => {
      const r = await runEntry('cli', ['migrate'], { cwd, env: cleanEnv({ DATABASE_URL: `mysql://root@127.0.0.1:3306/${name}` }) });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /MYSQL_APP_PASSWORD is not set/);
      assert.equal(await tables(), 0);
    });

    test('migration 001 by itself refuses before its first table', async () => {
      const saved = process.env.MYSQL_APP_PASSWORD;
      delete process.env.MYSQL_APP_PASSWORD;
      try {
        await assert.rejects(m001.up(admin!), /MYSQL_APP_PASSWORD is not set/);
      } finally {
        process.env.MYSQL_APP_PASSWORD = saved;
      }
      assert.equal(await tables(), 0);
    });

    test('with a password it creates the INSERT/SELECT-only user', { timeout: 120_000 }, async () => {
      const user = `mybnb_t_app_${process.pid}`;
      const r = await runEntry('cli', ['migrate'], { cwd, env: cleanEnv({ DATABASE_URL: `mysql://root@127.0.0.1:3306/${name}`, MYSQL_APP_USER: user, MYSQL_APP_PASSWORD: 'a-password-0123456789' }) });
      try {
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const [grants] = (await admin!.raw('SHOW GRANTS FOR ??@??', [user, '%'])) as [Array<Record<string, string>>];
        assert.ok(grants.some((g) => /GRANT SELECT, INSERT ON/.test(Object.values(g)[0]!)), JSON.stringify(grants));
      } finally {
        for (const host of ['%', 'localhost']) await admin!.raw('DROP USER IF EXISTS ??@??', [user, host]);
      }
    });
  });
}
