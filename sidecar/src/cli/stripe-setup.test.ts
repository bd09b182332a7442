import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import { startStripeFake, type StripeFake } from '../stripe-fake/index.js';
import { HANDLERS } from '../pipeline/handlers/index.js';
import { endpointEventTypes, handledStripeEventTypes } from '../pipeline/handlers/stripe-event-types.js';
import { startHarness } from '../testing/harness.js';
import { postStripeWebhook } from '../client/signed-client.js';
import { REPO_ROOT } from '../repo-root.js';
import { STRIPE_API_VERSION, stripeSetup } from './stripe-setup.js';

const URL_ = 'https://pay.example.com/webhooks/stripe';

describe('mybnb stripe setup, against the Stripe fake', () => {
  let fake: StripeFake;
  let stripe: Stripe;
  before(async () => {
    fake = await startStripeFake({ idTag: 'setup' });
    stripe = new Stripe('sk_test_setup', { telemetry: false, ...fake.sdkOptions });
  });
  after(async () => fake?.close());

  test('the event types are the handler table\'s Stripe webhook types, nothing else', () => {
    const fromTable = Object.keys(HANDLERS).filter((k) => k.startsWith('stripe:')).map((k) => k.split(':')[1]!);
    assert.deepEqual(handledStripeEventTypes(), [...new Set(fromTable)].sort());
    for (const t of ['payment_intent.succeeded', 'charge.refunded', 'refund.failed', 'transfer.reversed', 'charge.dispute.closed', 'customer.subscription.updated']) assert.ok(handledStripeEventTypes().includes(t), t);
    assert.ok(!handledStripeEventTypes().some((t) => t === 'refund' || t === 'transfer'), 'objects the outbox logs (stripe_api) are not webhook types');
  });

  test('creates the endpoint with exactly the handled events at the pinned API version and returns its secret; a second run changes nothing', async () => {
    const r = await stripeSetup(stripe, { url: URL_, secretKey: 'sk_test_setup' });
    assert.equal(r.action, 'created');
    assert.equal(r.mode, 'test');
    const stored = fake.webhookEndpoints.endpoints.get(r.endpoint_id)!;
    assert.equal(stored.url, URL_);
    assert.deepEqual(stored.enabled_events, endpointEventTypes('account'));
    assert.equal(stored.connect, false);
    assert.equal(stored.api_version, STRIPE_API_VERSION);
    assert.equal(STRIPE_API_VERSION, Stripe.API_VERSION);
    assert.equal(r.secret, stored.secret);
    assert.match(r.secret!, /^whsec_/);

    const again = await stripeSetup(stripe, { url: URL_, secretKey: 'sk_test_setup' });
    assert.equal(again.action, 'unchanged');
    assert.equal(again.endpoint_id, r.endpoint_id);
    assert.equal(again.secret, null);
    assert.equal([...fake.webhookEndpoints.endpoints.values()].filter((e) => e.url === URL_).length, 1);
  });

  test('an endpoint whose events drifted (or was disabled) is updated back to exactly the handled events', async () => {
    const id = [...fake.webhookEndpoints.endpoints.values()].find((e) => e.url === URL_)!.id;
    await stripe.webhookEndpoints.update(id, { enabled_events: ['charge.succeeded', 'invoice.paid'], disabled: true });
    const r = await stripeSetup(stripe, { url: URL_, secretKey: 'sk_test_setup' });
    assert.equal(r.action, 'updated');
    assert.equal(r.endpoint_id, id);
    const stored = fake.webhookEndpoints.endpoints.get(id)!;
    assert.deepEqual(stored.enabled_events, endpointEventTypes('account'));
    assert.equal(stored.status, 'enabled');
  });

  test('a Connect endpoint at the same URL gets the hosts\' account events (account.updated); the two together cover every handled type once', async () => {
    assert.deepEqual(endpointEventTypes('connect'), ['account.updated']);
    assert.deepEqual([...endpointEventTypes('account'), ...endpointEventTypes('connect')].sort(), handledStripeEventTypes());
    const r = await stripeSetup(stripe, { url: URL_, secretKey: 'sk_test_setup', scope: 'connect' });
    assert.equal(r.action, 'created');
    assert.equal(r.scope, 'connect');
    const stored = fake.webhookEndpoints.endpoints.get(r.endpoint_id)!;
    assert.equal(stored.connect, true);
    assert.deepEqual(stored.enabled_events, ['account.updated']);
    assert.equal(stored.metadata.mybnb_scope, 'connect');
    // Each scope finds its own endpoint again: nothing created, nothing changed.
    assert.equal((await stripeSetup(stripe, { url: URL_, secretKey: 'sk_test_setup', scope: 'connect' })).action, 'unchanged');
    assert.equal((await stripeSetup(stripe, { url: URL_, secretKey: 'sk_test_setup' })).action, 'unchanged');
    assert.equal([...fake.webhookEndpoints.endpoints.values()].filter((e) => e.url === URL_).length, 2);
  });

  test('an endpoint at another API version is left alone and a new one is created beside it; --rotate makes a second one for a new secret', async () => {
    const url = 'https://pay.example.com/v2/webhooks/stripe';
    const old = await stripe.webhookEndpoints.create({ url, enabled_events: ['charge.succeeded'], api_version: '2020-08-27' });
    const r = await stripeSetup(stripe, { url, secretKey: 'sk_test_setup' });
    assert.equal(r.action, 'created');
    assert.deepEqual(r.others, [{ id: old.id, api_version: '2020-08-27' }]);
    const rotated = await stripeSetup(stripe, { url, secretKey: 'sk_test_setup', rotate: true });
    assert.equal(rotated.action, 'created');
    assert.notEqual(rotated.secret, r.secret);
    assert.ok(rotated.others.some((o) => o.id === r.endpoint_id));
  });

  test('refuses a URL that is not https or not the webhook route', async () => {
    await assert.rejects(stripeSetup(stripe, { url: 'http://pay.example.com/webhooks/stripe', secretKey: 'sk_test_setup' }), /https/);
    await assert.rejects(stripeSetup(stripe, { url: 'https://pay.example.com/hooks', secretKey: 'sk_test_setup' }), /\/webhooks\/stripe/);
  });

  test('the CLI prints the secret to configure, and a sidecar configured with it accepts Stripe\'s deliveries', async () => {
    const url = 'https://cli.example.com/webhooks/stripe';
    // asynchronously: the fake answering the CLI lives in this process
    const { stdout: printed } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'sidecar/src/cli/main.ts', 'stripe', 'setup', '--url', url], {
      cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_API_URL: fake.url }, timeout: 120_000,
    });
    assert.match(printed, /webhook endpoint we_\w+ created/);
    assert.ok(printed.includes(STRIPE_API_VERSION));
    assert.match(printed, /Connect \(hosts' accounts\) webhook endpoint we_\w+ created/);
    const secrets = /STRIPE_WEBHOOK_SECRETS=(whsec_\w+(?:,whsec_\w+)*)/.exec(printed)?.[1]?.split(',');
    assert.ok(secrets, printed);
    const atUrl = [...fake.webhookEndpoints.endpoints.values()].filter((e) => e.url === url);
    assert.deepEqual(atUrl.map((e) => e.connect), [false, true]);
    assert.deepEqual(secrets, atUrl.map((e) => e.secret));
    const secret = secrets[0]!;
    const h = await startHarness('sqlite', { config: { stripeWebhookSecrets: secrets } });
    try {
      const event = { id: 'evt_setup_1', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_1', object: 'customer' } } };
      assert.equal((await postStripeWebhook(h.sidecar.url, event, secret)).status, 200);
      assert.equal((await postStripeWebhook(h.sidecar.url, { ...event, id: 'evt_setup_3', account: 'acct_host_1' }, secrets[1]!)).status, 200, 'the Connect endpoint\'s secret is accepted too');
      assert.equal((await postStripeWebhook(h.sidecar.url, { ...event, id: 'evt_setup_2' }, 'whsec_not_the_printed_one')).status, 401);
    } finally {
      await h.stop();
    }
  });
});

test('docs/stripe-setup.md says what every handled event type does', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../../docs/stripe-setup.md', import.meta.url), 'utf8');
  for (const t of handledStripeEventTypes()) assert.match(doc, new RegExp(`\\| \`${t.replace(/\./g, '\\.')}\` \\|`), `docs/stripe-setup.md describes ${t}`);
});
