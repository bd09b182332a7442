import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from './config.js';

test('defaults: port 8787, SQLite at ./data/mybnb.sqlite, demo mode without keys', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8787);
  assert.deepEqual(c.database, { dialect: 'sqlite', filename: './data/mybnb.sqlite' });
  assert.equal(c.demo, true);
  assert.equal(c.stripeSecretKey, null);
});

test('DATABASE_URL forms', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).database, { dialect: 'sqlite', filename: '/tmp/x.sqlite' });
  assert.deepEqual(loadConfig({ DATABASE_URL: 'mysql://app:p%40ss@db:3307/mybnb' }).database, { dialect: 'mysql', host: 'db', port: 3307, user: 'app', password: 'p@ss', database: 'mybnb' });
});

const bad: Array<[Record<string, string>, string]> = [
  [{ PORT: 'eighty' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
  [{ DATABASE_URL: 'mysql://root@127.0.0.1:3306/' }, 'DATABASE_URL'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ STRIPE_WEBHOOK_SECRETS: 'nope' }, 'STRIPE_WEBHOOK_SECRETS'],
  [{ SIDECAR_KEYS: 'k1:short:reader' }, 'SIDECAR_KEYS'],
  [{ SIDECAR_KEYS: 'k1:0123456789abcdef0:admin' }, 'SIDECAR_KEYS'],
  [{ SIDECAR_KEYS: 'k1:0123456789abcdef0:reader,k1:0123456789abcdef1:reader' }, 'SIDECAR_KEYS'],
  [{ STRIPE_SECRET_KEY: 'pk_test_123' }, 'STRIPE_SECRET_KEY'],
  [{ STRIPE_API_URL: 'not a url' }, 'STRIPE_API_URL'],
];
for (const [env, variable] of bad) {
  test(`a bad ${variable} stops with a message naming it: ${JSON.stringify(env)}`, () => {
    assert.throws(() => loadConfig(env), (e) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(`${variable}:`));
  });
}

test('the process itself exits non-zero and names the variable', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./main.ts', import.meta.url).pathname], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /configuration error: PORT:/);
});
