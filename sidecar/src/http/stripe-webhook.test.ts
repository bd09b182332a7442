import { storedStripePayload } from '../sari/personal-data.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { dialects } from '../testing/databases.js';
import { OLD_WEBHOOK_SECRET, startHarness, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { postStripeWebhook, replyOf, type Reply } from '../client/signed-client.js';
import { fixture, rekeyed, writtenCounts } from './stripe-fixtures.test-helper.js';

// POST /webhooks/stripe through real HTTP, signed by the real SDK (generateTestHeaderString),
// with the real event shapes of fixtures/stripe.
const sdk = new Stripe('sk_test_webhook_tests', { telemetry: false });
const now_s = () => Math.floor(Date.now() / 1000);

function header(payload: string, secret: string, timestamp = now_s()): string {
  return sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** The hex of the v1 signature in an SDK header. */
function v1Of(h: string): string {
  return /v1=([0-9a-f]+)/.exec(h)![1]!;
}

function assertProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body.code, code, r.text);
  assert.equal(r.body.status, status);
  assert.equal(typeof r.body.title, 'string');
  assert.ok(String(r.body.detail).length > 0, 'a problem says what is wrong');
}

async function postRaw(h: Harness, body: string, headers: Record<string, string>): Promise<Reply> {
  return replyOf(await fetch(`${h.sidecar.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));
}

for (const dialect of dialects()) {
  describe(`Stripe webhooks on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.stop());

    const stripeRows = async () => Number((await h.sidecar.db('inbox_events').where({ source: 'stripe' }).count({ n: '*' }).first())?.n);

    test('a valid event is stored once, acknowledged with 2xx and visible at GET /inbox/stripe/:id', async () => {
      const event = rekeyed('payment_intent.succeeded');
      const before_ = await stripeRows();
      const r = await postStripeWebhook(h.sidecar.url, event, WEBHOOK_SECRET);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { received: true, duplicate: false, event_id: event.id });
      assert.equal(await stripeRows(), before_ + 1);

      const row = await h.sidecar.db('inbox_events').where({ source: 'stripe', event_id: event.id }).first();
      assert.equal(row.type, 'payment_intent.succeeded');
      assert.equal(row.payload, storedStripePayload(JSON.stringify(event)), 'the body is stored without personal data (issue #13), deterministically');
      assert.equal(row.occurred_at, new Date(event.created * 1000).toISOString().replace('.000Z', 'Z'));
      assert.equal(row.stream_key, 'bk_demo_001', 'metadata.booking_id names the stream');

      await h.sidecar.dispatcher.drain();
      const seen = await h.operator.get(`/inbox/stripe/${event.id}`);
      assert.equal(seen.status, 200, seen.text);
      assert.equal(seen.body.event_id, event.id);
      assert.equal(seen.body.type, 'payment_intent.succeeded');
      assert.equal(seen.body.inbox_seq, Number(row.id));
      // bk_demo_001 was never confirmed here: the payment waits for it, visibly.
      assert.equal(seen.body.status, 'parked');
      assert.equal(seen.body.code, 'booking_not_confirmed');
      assert.match(seen.body.reason, /bk_demo_001/);

      const missing = await h.operator.get('/inbox/stripe/evt_never_stored_here');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'not_found');
    });

    test('every real fixture shape verifies, is stored and acknowledged', async () => {
      const names = ['account.updated', 'application_fee.created', 'application_fee.refunded', 'charge.dispute.closed', 'charge.dispute.created',
        'charge.dispute.funds_reinstated--won', 'charge.dispute.funds_withdrawn', 'charge.refunded', 'charge.succeeded', 'checkout.session.completed',
        'customer.subscription.created', 'customer.subscription.deleted', 'customer.subscription.updated', 'invoice.paid', 'invoice.payment_failed',
        'payment_intent.payment_failed', 'payment_intent.succeeded', 'payout.paid', 'refund.created', 'refund.updated', 'transfer.created', 'transfer.reversed'];
      for (const name of names) {
        const event = rekeyed(name);
        const r = await postStripeWebhook(h.sidecar.url, event, WEBHOOK_SECRET);
        assert.equal(r.status, 200, `${name}: ${r.text}`);
        assert.equal(r.body.duplicate, false, name);
      }
      await h.sidecar.dispatcher.drain();
      const stored = await h.sidecar.db('inbox_events').where({ source: 'stripe' }).select('event_id');
      assert.ok(stored.length >= names.length);
    });

    test('several v1 values in the header: any one that verifies is enough', async () => {
      for (const order of ['bad-first', 'good-first'] as const) {
        const event = rekeyed('charge.succeeded');
        const payload = JSON.stringify(event);
        const t = now_s();
        const good = v1Of(header(payload, WEBHOOK_SECRET, t));
        const other = v1Of(header(payload, 'whsec_some_other_endpoint_secret', t));
        const sig = order === 'bad-first' ? `t=${t},v1=${other},v1=${good},v0=${'0'.repeat(64)}` : `t=${t},v1=${good},v1=${other}`;
        const r = await postStripeWebhook(h.sidecar.url, payload, WEBHOOK_SECRET, { header: sig });
        assert.equal(r.status, 200, `${order}: ${r.text}`);
        assert.equal(r.body.event_id, event.id);
      }
    });

    test('secret rotation: an event signed with the second configured secret verifies', async () => {
      const event = rekeyed('charge.succeeded');
      const r = await postStripeWebhook(h.sidecar.url, event, OLD_WEBHOOK_SECRET);
      assert.equal(r.status, 200, r.text);
      assert.ok(await h.sidecar.db('inbox_events').where({ source: 'stripe', event_id: event.id }).first('id'));
    });

    test('a Connect event (with `account`) is accepted; an unknown type is stored, acknowledged, then ignored', async () => {
      const payout = rekeyed('payout.paid');
      assert.equal(payout.account, 'acct_1PgafTB7WZ01zgkW', 'the fixture is a Connect event');
      const unknown = rekeyed('application_fee.created');
      unknown.type = 'application_fee.something_new_in_2027';
      for (const e of [payout, unknown]) {
        const r = await postStripeWebhook(h.sidecar.url, e, WEBHOOK_SECRET);
        assert.equal(r.status, 200, r.text);
      }
      await h.sidecar.dispatcher.drain();
      for (const e of [payout, unknown]) {
        const seen = await h.operator.get(`/inbox/stripe/${e.id}`);
        assert.equal(seen.status, 200, seen.text);
        assert.equal(seen.body.type, e.type);
        assert.equal(seen.body.status, 'ignored', seen.text);
        // issue #12: a connected account's payout is the host's own money (platform payouts are posted)
        assert.equal(seen.body.code, e === payout ? 'connected_account_payout' : 'unhandled_type');
      }
      // ignored is final: draining again changes nothing and never loops
      const counts = await writtenCounts(h.sidecar.db);
      assert.equal(await h.sidecar.dispatcher.drain(), 0);
      assert.deepEqual(await writtenCounts(h.sidecar.db), counts);
    });

    test('duplicates get 2xx and change nothing, even re-signed later or with changed delivery fields', async () => {
      const event = rekeyed('customer.subscription.created');
      assert.equal((await postStripeWebhook(h.sidecar.url, event, WEBHOOK_SECRET)).status, 200);
      await h.sidecar.dispatcher.drain();
      const row = await h.sidecar.db('inbox_events').where({ source: 'stripe', event_id: event.id }).first();
      const counts = await writtenCounts(h.sidecar.db);

      const again = await postStripeWebhook(h.sidecar.url, event, OLD_WEBHOOK_SECRET, { timestamp: now_s() - 100 });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body, { received: true, duplicate: true, event_id: event.id });
      const redelivered = { ...event, pending_webhooks: 3 }; // Stripe's retry of the same event
      const third = await postStripeWebhook(h.sidecar.url, redelivered, WEBHOOK_SECRET);
      assert.equal(third.status, 200, third.text);
      assert.equal(third.body.duplicate, true);

      await h.sidecar.dispatcher.drain();
      assert.deepEqual(await writtenCounts(h.sidecar.db), counts);
      const still = await h.sidecar.db('inbox_events').where({ source: 'stripe', event_id: event.id }).first();
      assert.deepEqual(still, row, 'the first delivery stands');
    });

    describe('refused deliveries: a clear 4xx problem+json with a stable code, and nothing written', () => {
      const cases: Array<{ name: string; status: number; code: string; send: () => Promise<Reply> }> = [];
      const add = (name: string, status: number, code: string, send: () => Promise<Reply>) => cases.push({ name, status, code, send });
      const payloadOf = () => JSON.stringify(rekeyed('payment_intent.succeeded'));

      add('bad signature (right format, wrong hex)', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p, { 'Stripe-Signature': `t=${now_s()},v1=${'ab'.repeat(32)}` });
      });
      add('a signature of another body', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p, { 'Stripe-Signature': header(payloadOf(), WEBHOOK_SECRET) });
      });
      add('malformed header', 401, 'signature_invalid', () => postRaw(h, payloadOf(), { 'Stripe-Signature': 'garbage' }));
      add('old timestamp (301 s)', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p, { 'Stripe-Signature': header(p, WEBHOOK_SECRET, now_s() - 301) });
      });
      add('old timestamp (a day)', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p, { 'Stripe-Signature': header(p, WEBHOOK_SECRET, now_s() - 86_400) });
      });
      add('future timestamp (400 s ahead)', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p, { 'Stripe-Signature': header(p, WEBHOOK_SECRET, now_s() + 400) });
      });
      add('wrong secret', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p, { 'Stripe-Signature': header(p, 'whsec_not_one_of_ours_0123456789') });
      });
      add('truncated body (signed whole, sent cut)', 401, 'signature_invalid', () => {
        const p = payloadOf();
        return postRaw(h, p.slice(0, p.length - 40), { 'Stripe-Signature': header(p, WEBHOOK_SECRET) });
      });
      add('truncated body (signed as cut)', 400, 'invalid_json', () => {
        const p = payloadOf().slice(0, 300);
        return postRaw(h, p, { 'Stripe-Signature': header(p, WEBHOOK_SECRET) });
      });
      add('non-JSON body, correctly signed', 400, 'invalid_json', () => {
        const p = 'id=evt_1&type=charge.succeeded';
        return postRaw(h, p, { 'Stripe-Signature': header(p, WEBHOOK_SECRET) });
      });
      add('empty body, correctly signed', 400, 'invalid_json', () => postRaw(h, '', { 'Stripe-Signature': header('', WEBHOOK_SECRET) }));
      add('JSON that is not a Stripe event, correctly signed', 422, 'validation_failed', () => {
        const p = JSON.stringify({ hello: 'world' });
        return postRaw(h, p, { 'Stripe-Signature': header(p, WEBHOOK_SECRET) });
      });
      add('missing Stripe-Signature header', 401, 'signature_invalid', () => postRaw(h, payloadOf(), {}));

      for (const c of cases) {
        test(`${c.name} → ${c.status} ${c.code}`, async () => {
          await h.sidecar.dispatcher.drain();
          const counts = await writtenCounts(h.sidecar.db);
          const r = await c.send();
          assertProblem(r, c.status, c.code);
          await h.sidecar.dispatcher.drain();
          assert.deepEqual(await writtenCounts(h.sidecar.db), counts, 'nothing written');
        });
      }
    });

    test('the fixtures are what the SDK accepts (sanity of the shapes used above)', () => {
      const e = fixture('payment_intent.succeeded');
      const payload = JSON.stringify(e);
      const parsed = sdk.webhooks.constructEvent(payload, header(payload, WEBHOOK_SECRET), WEBHOOK_SECRET);
      assert.equal(parsed.type, 'payment_intent.succeeded');
      assert.equal(parsed.id, e.id);
    });
  });
}
