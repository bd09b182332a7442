import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { checkConfig, ConfigError, loadConfig } from './config.js';

const KEYS = 'be1:0123456789abcdef0:booking-engine';

test('nothing configured: demo mode, port 8787, 127.0.0.1, SQLite under ./data/demo/', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8787);
  assert.equal(c.listenHost, '127.0.0.1');
  assert.deepEqual(c.database, { dialect: 'sqlite', filename: './data/demo/mybnb.sqlite' });
  assert.equal(c.demo, true);
  assert.equal(c.stripeSecretKey, null);
  // Tuning variables are not a deployment: still a demo.
  assert.equal(loadConfig({ PORT: '9000', LOG_LEVEL: 'warn', POLICY_DIR: '/p', NODE_ENV: 'development' }).demo, true);
});

test('with SIDECAR_KEYS: a configured start, SQLite at ./data/mybnb.sqlite by default, 127.0.0.1 unless LISTEN_HOST says otherwise', () => {
  const c = loadConfig({ SIDECAR_KEYS: KEYS });
  assert.equal(c.demo, false);
  assert.deepEqual(c.database, { dialect: 'sqlite', filename: './data/mybnb.sqlite' });
  assert.equal(c.listenHost, '127.0.0.1');
  assert.equal(loadConfig({ SIDECAR_KEYS: KEYS, LISTEN_HOST: '0.0.0.0' }).listenHost, '0.0.0.0');
  assert.equal(loadConfig({ SIDECAR_KEYS: KEYS, LISTEN_HOST: '::' }).listenHost, '::');
});

test('DATABASE_URL forms', () => {
  assert.deepEqual(loadConfig({ SIDECAR_KEYS: KEYS, DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).database, { dialect: 'sqlite', filename: '/tmp/x.sqlite' });
  assert.deepEqual(loadConfig({ SIDECAR_KEYS: KEYS, DATABASE_URL: 'mysql://app:p%40ss@db:3307/mybnb' }).database, { dialect: 'mysql', host: 'db', port: 3307, user: 'app', password: 'p@ss', database: 'mybnb' });
});

const unsafe: Array<[string, Record<string, string>]> = [
  ['a MySQL DATABASE_URL', { DATABASE_URL: 'mysql://app:pw@db:3306/mybnb' }],
  ['a SQLite DATABASE_URL', { DATABASE_URL: 'sqlite:/srv/ledger.sqlite' }],
  ['NODE_ENV=production', { NODE_ENV: 'production' }],
  ['a live Stripe key', { STRIPE_SECRET_KEY: 'sk_live_abc123' }],
  ['a test Stripe key (never pointed at the fake)', { STRIPE_SECRET_KEY: 'sk_test_abc123' }],
  ['a Stripe API URL', { STRIPE_API_URL: 'http://127.0.0.1:12111' }],
  ['a webhook secret', { STRIPE_WEBHOOK_SECRETS: 'whsec_abc' }],
];
for (const [what, env] of unsafe) {
  test(`${what} without SIDECAR_KEYS: refused, naming SIDECAR_KEYS (never demo mode)`, () => {
    assert.throws(() => loadConfig(env), (e) => e instanceof ConfigError && e.variable === 'SIDECAR_KEYS' && /SIDECAR_KEYS: is required/.test(e.message) && e.message.includes(Object.keys(env)[0]!));
    assert.equal(loadConfig({ ...env, SIDECAR_KEYS: KEYS }).demo, false);
  });
  test(`--demo with ${what}: refused, naming ${Object.keys(env)[0]}`, () => {
    assert.throws(() => loadConfig(env, { demo: true }), (e) => e instanceof ConfigError && e.variable === Object.keys(env)[0]);
  });
}

test('--demo alone: demo mode; --demo with SIDECAR_KEYS: refused', () => {
  assert.equal(loadConfig({}, { demo: true }).demo, true);
  assert.throws(() => loadConfig({ SIDECAR_KEYS: KEYS }, { demo: true }), (e) => e instanceof ConfigError && e.variable === 'SIDECAR_KEYS' && /--demo/.test(e.message));
});

test('demo mode listens on 127.0.0.1 only', () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.5']) {
    assert.throws(() => loadConfig({ LISTEN_HOST: host }), (e) => e instanceof ConfigError && e.variable === 'LISTEN_HOST');
    assert.throws(() => loadConfig({ LISTEN_HOST: host }, { demo: true }), (e) => e instanceof ConfigError && e.variable === 'LISTEN_HOST');
  }
  assert.equal(loadConfig({ LISTEN_HOST: '127.0.0.1' }).listenHost, '127.0.0.1');
});

test('a live key is never pointed anywhere but Stripe; a test key may use the fake', () => {
  const base = { SIDECAR_KEYS: KEYS, STRIPE_SECRET_KEY: 'sk_live_abc123' };
  assert.throws(() => loadConfig({ ...base, STRIPE_API_URL: 'http://127.0.0.1:12111' }), (e) => e instanceof ConfigError && e.variable === 'STRIPE_API_URL');
  assert.throws(() => loadConfig({ ...base, STRIPE_SECRET_KEY: 'rk_live_abc123', STRIPE_API_URL: 'https://stripe.example' }), (e) => e instanceof ConfigError && e.variable === 'STRIPE_API_URL');
  assert.equal(loadConfig({ ...base, STRIPE_API_URL: 'https://api.stripe.com' }).stripeSecretKey, 'sk_live_abc123');
  assert.equal(loadConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_API_URL: 'http://127.0.0.1:12111' }).stripeApiUrl?.port, '12111');
});

test('every problem is reported at once, each naming its variable', () => {
  const { problems } = checkConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_abc123', STRIPE_API_URL: 'http://127.0.0.1:1', LISTEN_HOST: 'nowhere' });
  assert.deepEqual(problems.map((p) => p.variable).sort(), ['LISTEN_HOST', 'LOG_LEVEL', 'PORT', 'SIDECAR_KEYS', 'STRIPE_API_URL']);
  assert.throws(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' }), (e) => e instanceof ConfigError && e.problems.length === 2 && /^PORT: /.test(e.message) && /\nLOG_LEVEL: /.test(e.message));
});

const bad: Array<[Record<string, string>, string]> = [
  [{ PORT: 'eighty' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
  [{ DATABASE_URL: 'mysql://root@127.0.0.1:3306/' }, 'DATABASE_URL'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ STRIPE_WEBHOOK_SECRETS: 'nope' }, 'STRIPE_WEBHOOK_SECRETS'],
  [{ LISTEN_HOST: 'every-interface' }, 'LISTEN_HOST'],
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

test('an unknown argument stops the start', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./main.ts', import.meta.url).pathname, '--demoo'], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: npm start/);
});
