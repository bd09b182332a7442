import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type express from 'express';
import { KEY_ROLES, type KeyRole } from '../config.js';
import { dialects } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { SignedClient } from '../client/signed-client.js';
import { createApp } from './app.js';
import { PUBLIC, ROUTE_ROLES, routeOf, type RouteKey } from './route-roles.js';
import { writtenCounts } from './stripe-fixtures.test-helper.js';
import { tick } from '../testing/events.js';

// Issue #13, scoped keys: every route × every role, from the one table in route-roles.ts.
type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

function registeredRoutes(app: express.Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route) for (const m of Object.keys(l.route.methods)) out.push(`${m.toUpperCase()} ${l.route.path}`);
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** A concrete request line for a route: sample values for its parameters. */
const SAMPLES: Record<string, string> = { source: 'booking', eventId: 'bev_nope', id: 'bk_rr_1', decisionId: 'dec_nope', version: '1' };
function concrete(route: RouteKey): { method: string; path: string } {
  const [method, pattern] = route.split(' ') as [string, string];
  let path = pattern.replace(/:([A-Za-z]+)/g, (_, p: string) => SAMPLES[p] ?? 'x');
  if (route === 'GET /ledger/entries' || route === 'GET /constraints') path += '?booking_id=bk_rr_1';
  if (route === 'GET /preview/outcome') path += '?action=cancel&booking_id=bk_rr_1&by=guest';
  if (route === 'GET /policies/:id/:version') path = '/policies/moderate/1';
  return { method, path };
}

test('every registered route has exactly one row in the table, and every row is a registered route', async () => {
  const h = await startHarness('sqlite');
  try {
    const app = createApp({ config: h.sidecar.config, db: h.sidecar.db, logger: h.sidecar.logger, metrics: h.sidecar.metrics, dispatcher: h.sidecar.dispatcher, previews: h.sidecar.previews, inbox: async () => ({ inbox_id: 0, duplicate: true }), now_ms: Date.now });
    const registered = registeredRoutes(app);
    assert.ok(registered.length >= 15, registered.join(', '));
    assert.deepEqual([...registered].sort(), Object.keys(ROUTE_ROLES).sort());
    assert.equal(new Set(registered).size, registered.length, 'no route registered twice');
  } finally {
    await h.stop();
  }
});

test('routeOf matches concrete request lines to the table', () => {
  assert.equal(routeOf('GET', '/bookings/bk_1/receipt?x=1'), 'GET /bookings/:id/receipt');
  assert.equal(routeOf('GET', '/bookings/bk_1'), 'GET /bookings/:id');
  assert.equal(routeOf('POST', '/bookings/bk_1'), undefined);
  assert.equal(routeOf('GET', '/outbox?status=failed'), 'GET /outbox');
});

test('the roles are the contract\'s, each reaching what it needs and no more', () => {
  const reach = (role: KeyRole) => (Object.entries(ROUTE_ROLES) as Array<[RouteKey, readonly KeyRole[] | typeof PUBLIC]>).filter(([, r]) => r !== PUBLIC && r.includes(role)).map(([k]) => k).sort();
  assert.deepEqual(reach('reader'), ['GET /bookings/:id', 'GET /bookings/:id/receipt', 'GET /constraints', 'GET /guests/:id/bookings', 'GET /guests/:id/credits', 'GET /hosts/:id/statement', 'GET /hosts/:id/subscription', 'GET /policies', 'GET /policies/:id/:version', 'GET /preview/outcome', 'GET /whoami']);
  assert.deepEqual(reach('auditor'), ['GET /bookings/:id/dispute-evidence', 'GET /bookings/:id/evidence', 'GET /evidence/:decisionId', 'GET /hosts/:id/statement', 'GET /hosts/:id/subscription', 'GET /ledger/entries', 'GET /policies', 'GET /policies/:id/:version', 'GET /reconciliation', 'GET /suspense', 'GET /whoami']);
  assert.deepEqual(reach('operator'), ['GET /inbox/:source/:eventId', 'GET /metrics', 'GET /outbound/deliveries', 'GET /outbox', 'GET /suspense', 'GET /whoami']);
  assert.ok(reach('booking-engine').includes('POST /events/booking'));
  for (const role of ['reader', 'auditor', 'operator'] as const) assert.ok(!reach(role).includes('POST /events/booking'), `${role} writes nothing`);
});

for (const dialect of dialects()) {
  describe(`route × role on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.stop());

    const clientOf = (role: KeyRole): SignedClient => ({ 'booking-engine': h.engine, reader: h.reader, auditor: h.auditor, operator: h.operator })[role];

    for (const route of Object.keys(ROUTE_ROLES) as RouteKey[]) {
      const allowed = ROUTE_ROLES[route];
      if (allowed === PUBLIC) continue;
      test(`${route}: allowed ${allowed.join(', ')}; every other role 403; unsigned 401; nothing written when refused`, async () => {
        const { method, path } = concrete(route);
        await h.sidecar.dispatcher.drain();
        const counts = await writtenCounts(h.sidecar.db);
        for (const role of KEY_ROLES) {
          const c = clientOf(role);
          const r = method === 'GET' ? await c.get(path) : await c.post(path, tick('2026-09-01T00:00:00Z'));
          if ((allowed as readonly string[]).includes(role)) {
            assert.ok(r.status !== 401 && r.status !== 403, `${role} may ${route}: ${r.status} ${r.text}`);
          } else {
            assert.equal(r.status, 403, `${role} may not ${route}: ${r.text}`);
            assert.equal(r.body.code, 'forbidden_role');
          }
        }
        const unsigned = await fetch(h.sidecar.url + path, { method });
        assert.equal(unsigned.status, 401);
        await h.sidecar.dispatcher.drain();
        const after = await writtenCounts(h.sidecar.db);
        if (method === 'GET') assert.deepEqual(after, counts, 'a read writes nothing');
      });
    }

    test('the reader key gets 403 on /outbox (hosts\' Stripe account ids) and on the ledger and evidence', async () => {
      for (const path of ['/outbox', '/ledger/entries?booking_id=bk_1', '/evidence/dec_1', '/bookings/bk_1/evidence', '/inbox/booking/x']) {
        const r = await h.reader.get(path);
        assert.equal(r.status, 403, `${path}: ${r.text}`);
        assert.equal(r.body.code, 'forbidden_role');
      }
      assert.equal((await h.operator.get('/outbox')).status, 200);
    });
  });
}
