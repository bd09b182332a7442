/**
 * Issue #10, from outside: the real entry point (`npm start`) started as a forgetful operator would —
 * a deployment variable set, SIDECAR_KEYS forgotten — refuses, exits non-zero, names the missing
 * variable, prints no secret and writes nothing: no SQLite file or folder, no MySQL table, no row.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from './db/connect.js';
import { dialects, freshDatabase, MYSQL_ADMIN, MYSQL_APP, type Dialect, type TestDatabase } from './testing/databases.js';
import { cleanEnv, runEntry, type Finished } from './testing/spawn-main.js';

const LIVE_KEY = 'sk_live_start_safety_0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_start_safety_0123456789';
const DB_PASSWORD = MYSQL_APP.password;
const SECRETS = [LIVE_KEY, WEBHOOK_SECRET, DB_PASSWORD];

/** The triggers of a configured start, each alone beside the database URL (which is one too). */
const TRIGGERS: Array<[string, Record<string, string>]> = [
  ['DATABASE_URL alone', {}],
  ['NODE_ENV=production', { NODE_ENV: 'production' }],
  ['a live Stripe key', { STRIPE_SECRET_KEY: LIVE_KEY }],
  ['a webhook secret', { STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET }],
];

function assertRefused(r: Finished, variable: string): void {
  assert.equal(r.code, 2, `exit code 2\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`configuration error: ${variable}: `), `names ${variable}:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /DEMO MODE|listening/i);
  for (const s of SECRETS) assert.ok(!`${r.stdout}${r.stderr}`.includes(s), 'no secret or password printed');
}

/** Every table's row count, by name (what "nothing written" means for a ledger that exists). */
async function rowCounts(db: Db, dialect: Dialect): Promise<Record<string, number>> {
  const tables: string[] = dialect === 'sqlite'
    ? (await db.raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((r: { name: string }) => r.name)
    : ((await db.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')) as [Array<{ name: string }>])[0].map((r) => r.name);
  const counts: Record<string, number> = {};
  for (const t of tables.sort()) counts[t] = Number((await db(t).count({ n: '*' }).first())?.n ?? 0);
  return counts;
}

/** Runs at most `n` at once: each start is a whole node process on a shared machine. */
async function limited<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  }));
  return results;
}

describe('unsafe starts on the default SQLite file: refused before anything is created', () => {
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), 'mybnb-refuse-'));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('NODE_ENV=production, a live key, a webhook secret, each without SIDECAR_KEYS: exit 2, SIDECAR_KEYS named, no data/ folder', { timeout: 300_000 }, async () => {
    const cases = TRIGGERS.slice(1);
    const results = await limited(3, cases.map(([, env]) => () => runEntry('main', [], { cwd, env: cleanEnv(env) })));
    results.forEach((r, i) => {
      assertRefused(r, 'SIDECAR_KEYS');
      assert.match(r.stderr, new RegExp(Object.keys(cases[i]![1])[0]!), 'says which variable made it a configured start');
    });
    assert.deepEqual(readdirSync(cwd), [], 'nothing written in the working directory (no data/, no SQLite file)');
  });
});

test('a .env file counts as configuration: NODE_ENV=production in it refuses without SIDECAR_KEYS; config check reads it too', { timeout: 240_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mybnb-dotenv-'));
  try {
    writeFileSync(join(cwd, '.env'), `NODE_ENV=production\nSTRIPE_WEBHOOK_SECRETS=${WEBHOOK_SECRET}\n`);
    const [start, check] = await Promise.all([
      runEntry('main', [], { cwd, env: cleanEnv() }),
      runEntry('cli', ['config', 'check'], { cwd, env: cleanEnv() }),
    ]);
    assertRefused(start, 'SIDECAR_KEYS');
    assert.match(start.stderr, /NODE_ENV=production, |STRIPE_WEBHOOK_SECRETS/);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /NODE_ENV +production/);
    assert.match(check.stdout, /STRIPE_WEBHOOK_SECRETS +whsec_\*\*\*\*/);
    assert.ok(!check.stdout.includes(WEBHOOK_SECRET));
    assert.deepEqual(readdirSync(cwd), ['.env'], 'nothing written');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

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

    test('each trigger without SIDECAR_KEYS on an empty target: exit 2, SIDECAR_KEYS named, no file, no table', { timeout: 300_000 }, async () => {
      const results = await limited(2, TRIGGERS.map(([, env]) => () => runEntry('main', [], { cwd, env: cleanEnv({ DATABASE_URL: pristine.url, ...env }) })));
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

    test('on an existing ledger: row counts of every table identical before and after refused starts', { timeout: 300_000 }, async () => {
      const before = await rowCounts(ledger.admin, dialect);
      assert.ok(Object.keys(before).length >= 5, 'a migrated ledger');
      const results = await limited(2, [
        () => runEntry('main', [], { cwd, env: cleanEnv({ DATABASE_URL: ledgerUrl }) }),
        () => runEntry('main', [], { cwd, env: cleanEnv({ DATABASE_URL: ledgerUrl, NODE_ENV: 'production', STRIPE_SECRET_KEY: LIVE_KEY }) }),
      ]);
      for (const r of results) assertRefused(r, 'SIDECAR_KEYS');
      assert.deepEqual(await rowCounts(ledger.admin, dialect), before);
    });
  });
}
