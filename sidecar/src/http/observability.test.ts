import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { dialects } from '../testing/databases.js';
import { ENGINE_KEY, OLD_WEBHOOK_SECRET, READER_KEY, startHarness, WEBHOOK_SECRET } from '../testing/harness.js';
import { confirmed, total } from '../testing/events.js';
import { createLogger } from '../server.js';
import { OPS_DEFAULTS } from '../ops-config.js';
import { SignedClient, postStripeWebhook } from '../client/signed-client.js';
import { openDb } from '../db/connect.js';
import { migrationSource } from '../../../migrations/index.js';
import { createApp } from './app.js';
import { createMetrics } from './metrics.js';
import { Dispatcher } from '../pipeline/dispatcher.js';
import { PreviewModel } from '../pipeline/preview-model.js';
import { storeInboxEvent } from '../sari/inbox.js';
import { testConfig } from '../testing/harness.js';

for (const dialect of dialects()) {
  describe(`observability on ${dialect}`, () => {
    test('the access log has a line per request (id, route, status, duration) and no configured secret or signature anywhere in the logs', async () => {
      const lines: string[] = [];
      const logger = createLogger('trace', { write: (l: string) => void lines.push(l) });
      const h = await startHarness(dialect, { stripe: true, logger, config: { logLevel: 'trace', ops: { ...OPS_DEFAULTS, metricsPort: 0 } } });
      try {
        const secrets = [ENGINE_KEY.secret, READER_KEY.secret, WEBHOOK_SECRET, OLD_WEBHOOK_SECRET, h.sidecar.config.stripeSecretKey!];
        if (h.t.target.dialect === 'mysql' && h.t.target.password) secrets.push(h.t.target.password);
        const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_obs_1', payment_intent_id: 'pi_placeholder' });
        ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_obs_1' } }).id;
        assert.equal((await h.engine.event(ev)).status, 202);
        await h.settle(); // Stripe webhooks (signed with the webhook secret) delivered
        assert.equal((await h.reader.get('/bookings/bk_obs_1', { 'X-Request-Id': 'req-obs-42' })).status, 200);
        assert.equal((await h.reader.get('/bookings/bk_nope')).status, 404);
        const forged = new SignedClient(h.sidecar.url, { keyId: ENGINE_KEY.keyId, secret: 'not-the-secret-0123456789' });
        assert.equal((await forged.get('/bookings/bk_obs_1')).status, 401);
        assert.equal((await postStripeWebhook(h.sidecar.url, { id: 'evt_x', type: 'charge.succeeded', data: { object: {} } }, 'whsec_wrong_secret_0000')).status, 401);

        const unsigned = await fetch(`${h.sidecar.url}/metrics`);
        assert.equal(unsigned.status, 401, 'unsigned /metrics is refused');
        assert.equal(unsigned.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        const signed = await h.operator.get('/metrics');
        assert.equal(signed.status, 200);
        for (const name of ['mybnb_inbox_backlog_events', 'mybnb_dispatch_lag_seconds', 'mybnb_outbox_intents{status="succeeded"}', 'mybnb_outbox_retries_total', 'mybnb_reconciliation_differences', 'mybnb_outbound_delivery_failures_total', 'mybnb_http_requests_total']) {
          assert.ok(signed.text.includes(name), `metrics have ${name}`);
        }
        const address = h.sidecar.metricsServer!.address();
        assert.ok(address && typeof address === 'object' && address.address === '127.0.0.1', 'the unsigned metrics port is bound to 127.0.0.1');
        const local = await fetch(`http://127.0.0.1:${address.port}/metrics`);
        assert.equal(local.status, 200);
        assert.match(await local.text(), /mybnb_dispatch_lag_seconds 0/);

        await new Promise((r) => setTimeout(r, 50));
        const all = lines.join('');
        for (const secret of secrets) assert.ok(!all.includes(secret), `a configured secret (${secret.slice(0, 6)}…) is in the logs`);
        assert.doesNotMatch(all, /v1=[0-9a-f]{16}/, 'no signature value is in the logs');
        const access = lines.map((l) => JSON.parse(l)).filter((l) => l.req && l.res);
        const mine = access.find((l) => l.req.id === 'req-obs-42');
        assert.ok(mine, 'the caller\'s X-Request-Id is the request id');
        assert.equal(mine.route, '/bookings/:id');
        const raw = lines.find((l) => l.includes('"req-obs-42"') && l.includes('"res"'))!;
        assert.equal(raw.match(/"route":/g)?.length, 1, 'the route is logged once');
        assert.equal(mine.res.status, 200);
        assert.equal(typeof mine.duration_ms, 'number');
        assert.ok(access.some((l) => l.res.status === 401 && l.req.path === '/metrics'));
        assert.ok(access.some((l) => l.route === '/webhooks/stripe' && l.res.status === 200), 'Stripe deliveries are logged');
      } finally {
        await h.stop();
      }
    });

    test('/readyz fails while dispatch lags past READY_MAX_DISPATCH_LAG_S, and recovers', async () => {
      const h = await startHarness(dialect, { config: { ops: { ...OPS_DEFAULTS, readyMaxDispatchLag_s: 1 } } });
      try {
        assert.equal((await fetch(`${h.sidecar.url}/readyz`)).status, 200);
        await h.sidecar.dispatcher.stop();
        assert.equal((await h.engine.event(confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_lag_1', payment_intent_id: 'pi_lag_1' }))).status, 202);
        await new Promise((r) => setTimeout(r, 1600));
        const lagging = await fetch(`${h.sidecar.url}/readyz`);
        assert.equal(lagging.status, 503);
        const body = (await lagging.json()) as { code: string; detail: string };
        assert.equal(body.code, 'not_ready');
        assert.match(body.detail, /READY_MAX_DISPATCH_LAG_S/);
        await h.sidecar.dispatcher.drain();
        assert.equal((await fetch(`${h.sidecar.url}/readyz`)).status, 200);
      } finally {
        await h.stop();
      }
    });
  });
}

test('/readyz fails with schema_behind while a migration is pending', async () => {
  const filename = join(tmpdir(), `mybnb-readyz-${process.pid}.sqlite`);
  const db = openDb({ dialect: 'sqlite', filename });
  try {
    await db.migrate.up({ migrationSource }); // the first migration only
    const t = { target: { dialect: 'sqlite', filename } } as never;
    const logger = pino({ level: 'silent' });
    const app = createApp({ config: testConfig(t), db, logger, metrics: createMetrics(), dispatcher: new Dispatcher(db, { logger }), previews: new PreviewModel(db), inbox: (i) => storeInboxEvent(db, i), now_ms: Date.now });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/readyz`);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { code: string }).code, 'schema_behind');
    } finally {
      server.close();
    }
  } finally {
    await db.destroy();
    for (const s of ['', '-wal', '-shm']) rmSync(filename + s, { force: true });
  }
});

