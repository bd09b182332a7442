/**
 * Issue #10, from outside: the real entry point (`npm start`) started as a forgetful operator would —
 * a deployment variable set, SIDECAR_KEYS forgotten — refuses, exits non-zero, names the missing
 * variable, prints no secret and writes nothing. Here on the default SQLite file (no DATABASE_URL)
 * and through a .env file; start-safety-db.test.ts does the same against each dialect's database.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runEntry } from './testing/spawn-main.js';
import { assertRefused, limited, LIVE_KEY, WEBHOOK_SECRET } from './testing/refusals.js';

describe('unsafe starts on the default SQLite file: refused before anything is created', () => {
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), 'mybnb-refuse-'));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('NODE_ENV=production, a live key, a webhook secret, each alone without SIDECAR_KEYS: exit 2, SIDECAR_KEYS named, no data/ folder', { timeout: 200_000 }, async () => {
    const cases: Array<Record<string, string>> = [{ NODE_ENV: 'production' }, { STRIPE_SECRET_KEY: LIVE_KEY }, { STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET }];
    const results = await limited(3, cases.map((env) => () => runEntry('main', [], { cwd, env: cleanEnv(env) })));
    results.forEach((r, i) => {
      assertRefused(r, 'SIDECAR_KEYS');
      assert.match(r.stderr, new RegExp(Object.keys(cases[i]!)[0]!), 'says which variable made it a configured start');
    });
    assert.deepEqual(readdirSync(cwd), [], 'nothing written in the working directory (no data/, no SQLite file)');
  });
});

test('a .env file counts as configuration: NODE_ENV=production in it refuses without SIDECAR_KEYS; config check reads it too', { timeout: 200_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mybnb-dotenv-'));
  try {
    writeFileSync(join(cwd, '.env'), `NODE_ENV=production\nSTRIPE_WEBHOOK_SECRETS=${WEBHOOK_SECRET}\n`);
    const [start, check] = await Promise.all([
      runEntry('main', [], { cwd, env: cleanEnv() }),
      runEntry('cli', ['config', 'check'], { cwd, env: cleanEnv() }),
    ]);
    assertRefused(start, 'SIDECAR_KEYS');
    assert.match(start.stderr, /NODE_ENV=production/);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /NODE_ENV +production/);
    assert.match(check.stdout, /STRIPE_WEBHOOK_SECRETS +whsec_\*\*\*\*/);
    assert.ok(!check.stdout.includes(WEBHOOK_SECRET));
    assert.deepEqual(readdirSync(cwd), ['.env'], 'nothing written');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
