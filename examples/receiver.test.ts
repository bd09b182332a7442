import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { serveConsumer, WebhookConsumer, type OutboundEvent } from './receiver.js';

const SECRET = `whsec_${Buffer.from('example-receiver-secret-0123456789').toString('base64')}`;
const OTHER = `whsec_${Buffer.from('some-other-secret-0123456789abcdef').toString('base64')}`;

function signed(e: OutboundEvent, secret = SECRET, at = new Date()) {
  const body = JSON.stringify(e);
  return { body, headers: { 'webhook-id': e.id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(e.id, at, body) } };
}
const ev = (id: string, seq: number, booking_id = 'bk_1'): OutboundEvent => ({ id, type: 'refund.issued', occurred_at: '2026-09-01T12:00:00Z', booking_id, seq, data: { amount_minor: 100 } });

test('the example receiver verifies, dedupes by webhook-id and applies in seq order', () => {
  const applied: string[] = [];
  const c = new WebhookConsumer(SECRET, (e) => applied.push(e.id));
  const one = signed(ev('evt_1', 1));
  assert.deepEqual(c.receive(one.headers, one.body), { status: 200, result: 'applied' });
  assert.deepEqual(c.receive(one.headers, one.body), { status: 200, result: 'duplicate' });
  const two = signed(ev('evt_2', 2));
  assert.equal(c.receive(two.headers, two.body).result, 'applied');
  // An older event under a new id (a re-send after the consumer moved on) is stale: acknowledged, not applied.
  const old = signed(ev('evt_0', 1));
  assert.equal(c.receive(old.headers, old.body).result, 'stale');
  // A gap (a dead letter before it) is applied and recorded.
  const four = signed(ev('evt_4', 4));
  assert.equal(c.receive(four.headers, four.body).result, 'applied');
  assert.deepEqual(c.gaps, [{ stream: 'booking:bk_1', expected: 3, got: 4 }]);
  // Another booking has its own sequence.
  const b2 = signed(ev('evt_b1', 1, 'bk_2'));
  assert.equal(c.receive(b2.headers, b2.body).result, 'applied');
  assert.deepEqual(applied, ['evt_1', 'evt_2', 'evt_4', 'evt_b1']);
  assert.equal(c.duplicates, 1);
});

test('a wrong secret, a changed body or a stale timestamp is refused with 401 and applies nothing', () => {
  const c = new WebhookConsumer(SECRET);
  const forged = signed(ev('evt_x', 1), OTHER);
  assert.deepEqual(c.receive(forged.headers, forged.body), { status: 401, result: 'invalid' });
  const good = signed(ev('evt_y', 1));
  assert.equal(c.receive(good.headers, good.body.replace('"amount_minor":100', '"amount_minor":999')).status, 401);
  const stale = signed(ev('evt_z', 1), SECRET, new Date(Date.now() - 10 * 60_000));
  assert.equal(c.receive(stale.headers, stale.body).status, 401);
  assert.equal(c.applied.length, 0);
  // Both secrets during a rotation: either signature is enough.
  const both = new WebhookConsumer([OTHER, SECRET]);
  assert.equal(both.receive(good.headers, good.body).result, 'applied');
});

test('served over HTTP on 127.0.0.1', async () => {
  const c = new WebhookConsumer(SECRET);
  const server = await serveConsumer(c, 0);
  try {
    const { port } = server.address() as AddressInfo;
    const s = signed(ev('evt_http', 1));
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { ...s.headers, 'content-type': 'application/json' }, body: s.body });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { result: 'applied' });
    const bad = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { ...s.headers, 'webhook-signature': 'v1,AAAA' }, body: s.body });
    assert.equal(bad.status, 401);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('the WordPress plugin\'s fixture is a real Standard Webhooks message (the PHP test verifies the same bytes)', () => {
  const f = JSON.parse(readFileSync(new URL('../wp-plugin/tests/fixtures/outbound-event.json', import.meta.url), 'utf8')) as { secret: string; headers: Record<string, string>; body: string };
  // Signed at a fixed past instant: check the signature itself, as the library computes it.
  const at = new Date(Number(f.headers['webhook-timestamp']) * 1000);
  assert.equal(new Webhook(f.secret).sign(f.headers['webhook-id']!, at, f.body), f.headers['webhook-signature']);
});
