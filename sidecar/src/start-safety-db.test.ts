/**
 * Issue #10, from outside, on each dialect: `npm start`'s entry point with a DATABASE_URL (plus other
 * deployment variables) and SIDECAR_KEYS forgotten refuses, exits 2, names the variable, prints no
 * password, and writes nothing: no SQLite file, no MySQL table, and on an existing ledger the same
 * row count in every table before and after. (Once, this start ran demo mode into the real ledger.)
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './db/connect.js';
import { dialects, freshDatabase, MYSQL_ADMIN, MYSQL_APP, type TestDatabase } from './testing/databases.js';
import { cleanEnv, runEntry } from './testing/spawn-main.js';
import { assertRefused, DB_PASSWORD, limited, LIVE_KEY, rowCounts, WEBHOOK_SECRET } from './testing/refusals.js';

for (const dialect of dialects()) {
  describe(`unsafe starts on ${dialect}: refused, variable named, nothing written`, () => {
    let pristine: { url: string; exists: () => Promise<boolean>; drop: () => Promise<void> };
    let ledger: TestDatabase;
    let ledgerUrl: string;
    let cwd: string;

    before(async () => {
      cwd = mkdtempSync(join(tmpdir(), 'mybnb-refuse-'));
      if (dialect === 'sqlite') {
        const file = join(cwd, 'ledger', 'mybnb.sqlite');
        pristine = { url: `sqlite:${file}`, exists: async () => existsSync(join(cwd, 'ledger')), drop: async () => {} };
      } else {
        const name = `mybnb_t_refuse_${process.pid}`;
        const server = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: 'test' });
        await server.raw(`CREATE DATABASE \`${name}\``);
        await server.destroy();
        const admin = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: name });
        pristine = {
          // As the app user, with its password: the refusal must not print it either.
          url: `mysql://${MYSQL_APP.user}:${encodeURIComponent(DB_PASSWORD)}@127.0.0.1:3306/${name}`,
          exists: async () => Number(((await admin.raw('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [name])) as [Array<{ n: number | string }>])[0][0]!.n) > 0,
          drop: async () => {
            await admin.raw(`DROP DATABASE \`${name}\``);
            await admin.destroy();
          },
        };
      }
      ledger = await freshDatabase(dialect);
      const t = ledger.target;
      ledgerUrl = t.dialect === 'sqlite' ? `sqlite:${t.filename}` : `mysql://${t.user}:${encodeURIComponent(t.password)}@${t.host}:${t.port}/${t.database}`;
    });
    after(async () => {
      await pristine.drop();
      await ledger.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    test('DATABASE_URL (alone, or with a webhook secret) without SIDECAR_KEYS on an empty target: exit 2, SIDECAR_KEYS named, no file, no table', { timeout: 300_000 }, async () => {
      const triggers: Array<Record<string, string>> = [{}, { STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET }];
      const results = await limited(2, triggers.map((env) => () => runEntry('main', [], { cwd, env: cleanEnv({ DATABASE_URL: pristine.url, ...env }) })));
      for (const r of results) {
        assertRefused(r, 'SIDECAR_KEYS');
        assert.match(r.stderr, /DATABASE_URL/);
      }
      assert.equal(await pristine.exists(), false, 'nothing created');
      assert.deepEqual(readdirSync(cwd), [], 'nothing written in the working directory');
    });

    test('--demo with a DATABASE_URL: refused naming DATABASE_URL, nothing created', { timeout: 120_000 }, async () => {
      assertRefused(await runEntry('main', ['--demo'], { cwd, env: cleanEnv({ DATABASE_URL: pristine.url }) }), 'DATABASE_URL');
      assert.equal(await pristine.exists(), false);
    });

    test('on an existing ledger (production, a live key, no SIDECAR_KEYS): row counts of every table identical before and after', { timeout: 300_000 }, async () => {
      const before = await rowCounts(ledger.admin, dialect);
      assert.ok(Object.keys(before).length >= 5, 'a migrated ledger');
      assertRefused(await runEntry('main', [], { cwd, env: cleanEnv({ DATABASE_URL: ledgerUrl, NODE_ENV: 'production', STRIPE_SECRET_KEY: LIVE_KEY }) }), 'SIDECAR_KEYS');
      assert.deepEqual(await rowCounts(ledger.admin, dialect), before);
    });
  });
}
