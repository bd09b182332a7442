/**
 * Issue #10: the start banner and the logs never carry a configured secret or password. A real
 * configured start (`npm start`'s entry point, LOG_LEVEL=trace) on each dialect, then the requests
 * that make it log (good and bad signatures, a bad webhook), then a stop; every byte it wrote to
 * stdout and stderr is scanned. `config check` masks the same values and lists every problem.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedClient } from './client/signed-client.js';
import { dialects, freshDatabase, MYSQL_APP, type TestDatabase } from './testing/databases.js';
import { cleanEnv, runEntry, spawnEntry, stopChild, waitForOutput } from './testing/spawn-main.js';

const ENGINE = { keyId: 'be-secrets', secret: 'engine-secret-must-never-print-0001' };
const READER = { keyId: 'rd-secrets', secret: 'reader-secret-must-never-print-0002' };
const WEBHOOK = 'whsec_webhook_secret_must_never_print_0003';
const STRIPE_KEY = 'sk_test_stripe_key_must_never_print_0004';

function secretsIn(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}

for (const dialect of dialects()) {
  describe(`a configured start on ${dialect} prints no secret`, () => {
    let t: TestDatabase;
    let cwd: string;
    before(async () => {
      t = await freshDatabase(dialect);
      cwd = mkdtempSync(join(tmpdir(), 'mybnb-secrets-'));
    });
    after(async () => {
      await t.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    test('banner, request logs and shutdown: no key secret, webhook secret, Stripe key or database password', { timeout: 240_000 }, async () => {
      const target = t.target;
      const databaseUrl = target.dialect === 'sqlite' ? `sqlite:${target.filename}` : `mysql://${target.user}:${encodeURIComponent(target.password)}@${target.host}:${target.port}/${target.database}`;
      const secrets = [ENGINE.secret, READER.secret, WEBHOOK, STRIPE_KEY, ...(dialect === 'mysql' ? [MYSQL_APP.password] : [])];
      const env = cleanEnv({
        PORT: '0', LOG_LEVEL: 'trace', NODE_ENV: 'production', DATABASE_URL: databaseUrl,
        SIDECAR_KEYS: `${ENGINE.keyId}:${ENGINE.secret}:booking-engine,${READER.keyId}:${READER.secret}:reader`,
        STRIPE_WEBHOOK_SECRETS: WEBHOOK, STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_API_URL: 'http://127.0.0.1:9',
      });
      const child = spawnEntry('main', [], { cwd, env });
      let out = '';
      child.stdout!.on('data', (d) => (out += String(d)));
      child.stderr!.on('data', (d) => (out += String(d)));
      try {
        await waitForOutput(child, () => out, /"sidecar listening"/, 180_000);
        const listening = JSON.parse(out.split('\n').find((l) => l.includes('"sidecar listening"'))!) as { url: string; database: string; demo: boolean; listen: string };
        assert.equal(listening.demo, false);
        assert.match(listening.listen, /^127\.0\.0\.1:\d+$/, 'a configured start listens on 127.0.0.1 unless LISTEN_HOST says otherwise');
        assert.ok(listening.database.startsWith(`${dialect}:`), 'the database is named (without its password)');
        const url = listening.url;
        assert.equal((await new SignedClient(url, READER).get('/bookings/bk_nowhere')).status, 404);
        assert.equal((await new SignedClient(url, { keyId: READER.keyId, secret: 'a-wrong-secret-0123456789' }).get('/bookings/bk_nowhere')).status, 401);
        assert.equal((await new SignedClient(url, ENGINE).post('/events', { nonsense: true })).status >= 400, true);
        const webhook = await fetch(`${url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': `t=1,v1=${'0'.repeat(64)}` }, body: '{}' });
        assert.ok(webhook.status >= 400);
      } finally {
        await stopChild(child);
      }
      assert.match(out, /"sidecar listening"/);
      assert.ok(out.split('\n').length > 3, 'trace logging wrote something to scan');
      assert.deepEqual(secretsIn(out, secrets), [], 'no secret in stdout or stderr');
    });
  });
}

describe('mybnb config check', () => {
  const pw = 'db-password-must-never-print-0005';
  test('lists every problem at once, masks every secret, exits 1', { timeout: 120_000 }, async () => {
    const env = cleanEnv({
      PORT: 'eighty', LISTEN_HOST: 'every-interface', NODE_ENV: 'production',
      DATABASE_URL: `mysql://app:${pw}@db:3306/mybnb`, STRIPE_SECRET_KEY: 'sk_live_live_key_must_never_print_0006',
      STRIPE_API_URL: 'http://127.0.0.1:12111', STRIPE_WEBHOOK_SECRETS: WEBHOOK, MYSQL_APP_PASSWORD: pw,
    });
    const r = await runEntry('cli', ['config', 'check'], { cwd: tmpdir(), env });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const problems = r.stdout.split('\n').filter((l) => /^ {2}[A-Z_]+: /.test(l)).map((l) => l.trim().split(':')[0]);
    assert.deepEqual(problems.sort(), ['LISTEN_HOST', 'PORT', 'SIDECAR_KEYS', 'STRIPE_API_URL']);
    assert.match(r.stdout, /4 problems:/);
    assert.match(r.stdout, /DATABASE_URL +mysql:\/\/app:\*\*\*\*@db:3306\/mybnb/);
    assert.match(r.stdout, /STRIPE_SECRET_KEY +sk_live_\*\*\*\*/);
    assert.match(r.stdout, /STRIPE_WEBHOOK_SECRETS +whsec_\*\*\*\*/);
    assert.deepEqual(secretsIn(r.stdout + r.stderr, [pw, 'sk_live_live_key_must_never_print_0006', WEBHOOK]), []);
  });

  test('a good configuration: exit 0, "no problems", key secrets masked', { timeout: 120_000 }, async () => {
    const env = cleanEnv({ SIDECAR_KEYS: `${ENGINE.keyId}:${ENGINE.secret}:booking-engine`, STRIPE_SECRET_KEY: STRIPE_KEY, LISTEN_HOST: '0.0.0.0' });
    const r = await runEntry('cli', ['config', 'check'], { cwd: tmpdir(), env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /mode +configured/);
    assert.match(r.stdout, /SIDECAR_KEYS +be-secrets:\*\*\*\*:booking-engine/);
    assert.match(r.stdout, /no problems/);
    assert.deepEqual(secretsIn(r.stdout, [ENGINE.secret, STRIPE_KEY]), []);
  });
});
