import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dialects } from '../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { postStripeWebhook } from '../client/signed-client.js';
import { fixture, rekeyed } from '../http/stripe-fixtures.test-helper.js';
import { PERSONAL_KEYS, storedStripePayload, stripPersonalData } from './personal-data.js';

// Issue #13: the append-only inbox keeps no personal data of Stripe payloads.
const FIXTURES = readdirSync(new URL('../../../fixtures/stripe/', import.meta.url)).filter((f) => f.endsWith('.json') && f !== 'manifest.json').map((f) => f.slice(0, -5));

/** Every key path in a JSON value, e.g. data.object.billing_details.name. */
function paths(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => paths(x, `${prefix}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [`${prefix}${k}`, ...paths(x, `${prefix}${k}.`)]);
}

test('no fixture keeps a personal key, a card keeps only brand and last4, and what decisions need stays', () => {
  assert.ok(FIXTURES.length >= 20);
  for (const name of FIXTURES) {
    const stored = JSON.parse(storedStripePayload(JSON.stringify(fixture(name))));
    for (const p of paths(stored)) assert.ok(!PERSONAL_KEYS.has(p.split('.').pop()!.replace(/\[\d+\]$/, '')), `${name}: ${p} is kept`);
    const text = JSON.stringify(stored);
    for (const personal of ['Jenny Rosen', 'AOB934RVNwzk6xtn', '"exp_year"', '"fingerprint"', '"billing_details"']) assert.ok(!text.includes(personal), `${name} keeps ${personal}`);
  }
  const charge = JSON.parse(storedStripePayload(JSON.stringify(fixture('charge.succeeded'))));
  assert.deepEqual(charge.data.object.payment_method_details.card, { brand: 'visa', last4: '4242' });
  const original = fixture('charge.succeeded');
  for (const k of ['id', 'amount', 'currency', 'payment_intent', 'metadata', 'status', 'balance_transaction', 'created']) {
    assert.deepEqual(charge.data.object[k], (original.data.object as Record<string, unknown>)[k], `${k} is kept`);
  }
  assert.equal(charge.id, original.id);
  assert.equal(charge.mybnb_redaction.version, 1);
  assert.match(charge.mybnb_redaction.signed_body_sha256, /^[0-9a-f]{64}$/);
});

test('stripping is deterministic and idempotent: the same delivery stores the same bytes', () => {
  for (const name of FIXTURES) {
    const raw = JSON.stringify(fixture(name));
    assert.equal(storedStripePayload(raw), storedStripePayload(raw));
    const once = stripPersonalData(JSON.parse(raw));
    assert.deepEqual(stripPersonalData(once), once);
  }
});

for (const dialect of dialects()) {
  describe(`personal data at the inbox on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.stop());

    test('stored Stripe payloads carry no cardholder name, email, address, fingerprint or expiry', async () => {
      const event = rekeyed('charge.succeeded');
      const o = event.data.object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      o.billing_details = { address: { city: 'Paris', country: 'FR', line1: '1 rue de Rivoli', line2: null, postal_code: '75001', state: null }, email: 'jenny@example.com', name: 'Jenny Rosen', phone: '+33 1 23 45 67 89', tax_id: null };
      o.receipt_email = 'jenny@example.com';
      assert.equal((await postStripeWebhook(h.sidecar.url, event, WEBHOOK_SECRET)).status, 200);
      await h.sidecar.dispatcher.drain();
      const rows = (await h.sidecar.db('inbox_events').select('payload')) as Array<{ payload: string }>;
      assert.ok(rows.length >= 1);
      for (const r of rows) {
        for (const personal of ['Jenny Rosen', 'jenny@example.com', 'rue de Rivoli', '75001', '+33 1', 'AOB934RVNwzk6xtn', 'exp_month', 'exp_year']) {
          assert.ok(!r.payload.includes(personal), `the inbox keeps ${personal}`);
        }
      }
      const row = await h.sidecar.db('inbox_events').where({ event_id: event.id }).first('payload');
      assert.equal(JSON.parse(row.payload).data.object.payment_method_details.card.last4, '4242');
    });
  });
}
