import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openDb } from './db/connect.js';
import { MYSQL_ADMIN, mysqlSkipped } from './testing/databases.js';
import { OPERATOR_KEY, testConfig } from './testing/harness.js';
import { SignedClient } from './client/signed-client.js';
import { startSidecar, StartupError } from './server.js';
import { freshDatabase } from './testing/databases.js';

test('on MySQL the service refuses a schema that is behind and says to run the migration', { skip: mysqlSkipped() ? 'MySQL suites skipped' : false }, async () => {
  const name = `mybnb_t_behind_${process.pid}`;
  const server = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: 'test' });
  await server.raw(`CREATE DATABASE \`${name}\``);
  try {
    const config = testConfig({ target: { dialect: 'mysql', ...MYSQL_ADMIN, database: name } } as never);
    await assert.rejects(startSidecar(config, { logger: pino({ level: 'silent' }) }), (e) => e instanceof StartupError && /npm run migrate/.test(e.message) && /001_ledger/.test(e.message));
  } finally {
    await server.raw(`DROP DATABASE \`${name}\``);
    await server.destroy();
  }
});

test('on SQLite the service migrates by itself and /readyz says ready', async () => {
  const t = await freshDatabase('sqlite');
  try {
    const sidecar = await startSidecar(testConfig(t), { logger: pino({ level: 'silent' }) });
    try {
      const ready = await fetch(`${sidecar.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { status: string }).status, 'ready');
      const health = await fetch(`${sidecar.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal((await fetch(`${sidecar.url}/metrics`)).status, 401, 'metrics are for a signed caller');
      const metrics = (await new SignedClient(sidecar.url, OPERATOR_KEY).get('/metrics')).text;
      assert.match(metrics, /mybnb_http_requests_total/);
      const missing = await fetch(`${sidecar.url}/nowhere`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(((await missing.json()) as { code: string }).code, 'not_found');
    } finally {
      await sidecar.stop();
    }
  } finally {
    await t.drop();
  }
});
