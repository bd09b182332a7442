import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type express from 'express';
import { z } from 'zod';
import { dialects } from '../../testing/databases.js';
import { pino } from 'pino';
import { startHarness, testConfig, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, total } from '../../testing/events.js';
import { postStripeWebhook, replyOf, type Reply } from '../../client/signed-client.js';
import { createApp } from '../app.js';
import { API_ROUTES, openApiDocument } from './index.js';
import { rolesFor, statusesOf, type RouteDoc } from './registry.js';
import { OPENAPI_FILE, openApiText } from '../../../../scripts/gen-openapi.js';

type Layer = { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every METHOD path the Express app routes (routers mounted at the root, as app.ts does). */
export function expressRoutes(app: express.Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) if (layer.route.methods[m]) out.push(`${m.toUpperCase()} ${String(layer.route.path)}`);
      if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(out)].sort();
}

const key = (d: RouteDoc) => `${d.method.toUpperCase()} ${d.path}`;

describe('the OpenAPI document', () => {
  test('is OpenAPI 3.1, committed as docs/openapi.json exactly as generated (npm run openapi)', () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(readFileSync(OPENAPI_FILE, 'utf8'), openApiText(), 'docs/openapi.json is out of date: run npm run openapi');
    const described = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    assert.deepEqual(described, API_ROUTES.map((d) => `${d.method.toUpperCase()} ${d.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`).sort());
  });

  test('every route of the Express app is described, and every described route exists', () => {
    const app = createApp({ config: testConfig({ target: { dialect: 'sqlite', filename: ':memory:' } } as never), logger: pino({ level: 'silent' }) } as never);
    const routes = expressRoutes(app);
    assert.ok(routes.length >= 15, `found the app's routes (${routes.length})`);
    const described = new Set(API_ROUTES.map(key));
    const undescribed = routes.filter((r) => !described.has(r));
    assert.deepEqual(undescribed, [], `routes missing from the OpenAPI registry (describe them in sidecar/src/http/openapi): ${undescribed.join(', ')}`);
    const missing = [...described].filter((r) => !routes.includes(r));
    assert.deepEqual(missing, [], `described routes the app does not have: ${missing.join(', ')}`);
  });
});

for (const dialect of dialects()) {
  describe(`every described route answers as described on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_oa_1', payment_intent_id: 'pi_placeholder', guest_id: 'guest_oa', host_id: 'host_oa' });
      ev.id = 'bev_oa_confirmed';
      ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_oa_1' } }).id;
      assert.equal((await h.engine.event(hostConnected('host_oa', 'acct_1HostOpenApi', '2026-09-01T09:00:00Z'))).status, 202);
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
    });
    after(async () => h?.stop());

    const check = (doc: RouteDoc, r: Reply, what: string) => {
      const statuses = statusesOf(doc);
      const described = statuses.get(r.status);
      assert.ok(described, `${key(doc)} ${what}: answered ${r.status}, described only ${[...statuses.keys()].join(', ')}: ${r.text.slice(0, 300)}`);
      const type = r.headers.get('content-type') ?? '';
      assert.ok(type.startsWith(described.contentType ?? 'application/json'), `${key(doc)} ${what}: content-type ${type}, described ${described.contentType ?? 'application/json'}`);
      if (described.problem) assert.ok(described.codes.includes(r.body.code), `${key(doc)} ${what}: problem code ${r.body.code} not among ${described.codes.join(', ')}`);
      if (described.schema) {
        const parsed = (described.schema as z.ZodType).safeParse(described.schema instanceof z.ZodString ? r.text : r.body);
        assert.ok(parsed.success, `${key(doc)} ${what}: body does not match the described schema: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
      }
    };

    for (const doc of API_ROUTES) {
      test(`${key(doc)}`, async () => {
        const path = doc.example?.path ?? doc.path.replace(/:([A-Za-z0-9_]+)/g, 'unknown_oa');
        if (doc.auth.kind === 'signed') {
          const unsigned = await replyOf(await fetch(h.sidecar.url + path, { method: doc.method.toUpperCase(), ...(doc.method === 'post' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) }));
          assert.equal(unsigned.status, 401);
          check(doc, unsigned, 'unsigned');
        }
        let r: Reply;
        if (doc.auth.kind === 'stripe') {
          r = await postStripeWebhook(h.sidecar.url, { id: 'evt_oa_1', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_oa', object: 'customer' } } }, WEBHOOK_SECRET);
          assert.equal(r.status, 200, r.text);
        } else if (doc.auth.kind === 'none') {
          r = await replyOf(await fetch(h.sidecar.url + path));
        } else {
          const roles = rolesFor(doc);
          const client = roles.includes('booking-engine') ? h.engine : roles.includes('reader') ? h.reader : roles.includes('auditor') ? h.auditor : h.operator;
          r = doc.method === 'get' ? await client.get(path) : await client.post(path, doc.example?.body ?? {});
        }
        check(doc, r, doc.example ? 'example' : 'unknown ids');
        if (doc.example) assert.ok(r.status < 300, `${key(doc)}: its example should succeed, got ${r.status} ${r.text.slice(0, 200)}`);
      });
    }

    test('GET /openapi.json serves the generated document, unsigned', async () => {
      const r = await replyOf(await fetch(`${h.sidecar.url}/openapi.json`));
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, JSON.parse(JSON.stringify(openApiDocument())));
    });
  });
}
