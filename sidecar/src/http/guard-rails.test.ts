import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { dialects, MYSQL_APP } from '../testing/databases.js';
import { ENGINE_KEY, OLD_WEBHOOK_SECRET, READER_KEY, startHarness, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { confirmed, eventId, tick } from '../testing/events.js';
import { postStripeWebhook, SignedClient, type Reply } from '../client/signed-client.js';
import { MAX_BODY_BYTES } from './app.js';
import { MAX_JSON_DEPTH } from '../kernel/json-body.js';
import { rekeyed, writtenCounts } from './stripe-fixtures.test-helper.js';

// Guard rails of the ingest endpoints: body size, JSON depth, rate limit per key, backlog, logs.
function assertProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body.code, code, r.text);
}

async function unchanged(h: Harness, send: () => Promise<Reply>): Promise<Reply> {
  const counts = await writtenCounts(h.sidecar.db);
  const r = await send();
  assert.deepEqual(await writtenCounts(h.sidecar.db), counts, `nothing written (${r.status})`);
  return r;
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

for (const dialect of dialects()) {
  describe(`guard rails on ${dialect}`, () => {
    test('a body over the limit is 413 body_too_large on both ingest endpoints, before anything is read', async () => {
      const h = await startHarness(dialect);
      try {
        await h.sidecar.dispatcher.drain();
        const big = tick('2026-09-01T00:00:00Z') as { data: Record<string, unknown> };
        const padding = 'x'.repeat(MAX_BODY_BYTES);
        const e = { ...big, data: {}, padding };
        assertProblem(await unchanged(h, () => h.engine.event(e as never)), 413, 'body_too_large');
        const stripeEvent = { ...rekeyed('charge.succeeded'), padding };
        assertProblem(await unchanged(h, () => postStripeWebhook(h.sidecar.url, stripeEvent, WEBHOOK_SECRET)), 413, 'body_too_large');
        // just under the limit is read (and then refused by the schema, not by size)
        const fits = { ...big, data: {}, padding: 'x'.repeat(MAX_BODY_BYTES - 200) };
        assertProblem(await unchanged(h, () => h.engine.event(fits as never)), 422, 'validation_failed');
      } finally {
        await h.stop();
      }
    });

    test(`JSON nested deeper than ${MAX_JSON_DEPTH} is 400 json_too_deep; brackets inside strings do not count`, async () => {
      const h = await startHarness(dialect);
      try {
        await h.sidecar.dispatcher.drain();
        const deep = { ...tick('2026-09-01T00:00:00Z'), data: nested(MAX_JSON_DEPTH + 4) };
        const r = await unchanged(h, () => h.engine.event(deep as never));
        assertProblem(r, 400, 'json_too_deep');
        const atLimit = { ...tick('2026-09-01T00:00:00Z'), data: nested(MAX_JSON_DEPTH - 1) };
        assertProblem(await unchanged(h, () => h.engine.event(atLimit as never)), 422, 'validation_failed');
        const e = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_gr_str', payment_intent_id: 'pi_gr_str' });
        const cancel = { id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-09-02T00:00:00Z', data: { booking_id: 'bk_gr_str', by: 'guest', reason: '['.repeat(100) + '{'.repeat(100), consent: { outcome_hash: `sha256:${'b'.repeat(64)}`, actor: 'guest_1', consented_at: '2026-09-02T00:00:00Z' } } };
        assert.equal((await h.engine.event(e)).status, 202);
        assert.equal((await h.engine.event(cancel)).status, 202, 'a reason full of brackets is text, not depth');
      } finally {
        await h.stop();
      }
    });

    test('per-key rate limit: past it 429 rate_limited with Retry-After, nothing written; other keys keep their budget', async () => {
      const h = await startHarness(dialect, { config: { rateLimitPerMinute: 3 } });
      try {
        for (let i = 0; i < 3; i++) assert.equal((await h.engine.event(tick(`2026-09-01T00:00:0${i}Z`))).status, 202);
        await h.sidecar.dispatcher.drain();
        const r = await unchanged(h, () => h.engine.event(tick('2026-09-01T00:00:09Z')));
        assertProblem(r, 429, 'rate_limited');
        assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After says when');
        const reader = await h.reader.get('/policies');
        assert.equal(reader.status, 200, 'the reader key has its own budget');
        // Stripe deliveries have their own budget, with the same answer past it
        for (let i = 0; i < 3; i++) assert.equal((await postStripeWebhook(h.sidecar.url, rekeyed('charge.succeeded'), WEBHOOK_SECRET)).status, 200);
        await h.sidecar.dispatcher.drain();
        const w = await unchanged(h, () => postStripeWebhook(h.sidecar.url, rekeyed('charge.succeeded'), WEBHOOK_SECRET));
        assertProblem(w, 429, 'rate_limited');
        assert.ok(w.headers.get('retry-after'));
      } finally {
        await h.stop();
      }
    });

    test('past the backlog limit the endpoints answer 503 overloaded with Retry-After, buffer nothing, and recover', async () => {
      const h = await startHarness(dialect, { config: { inboxMaxBacklog: 3 } });
      try {
        await h.sidecar.dispatcher.stop();
        for (let i = 0; i < 3; i++) assert.equal((await h.engine.event(tick(`2026-09-01T00:00:0${i}Z`))).status, 202);
        assert.equal(h.sidecar.dispatcher.backlog(), 3);
        const r = await unchanged(h, () => h.engine.event(tick('2026-09-01T00:01:00Z')));
        assertProblem(r, 503, 'overloaded');
        assert.ok(Number(r.headers.get('retry-after')) > 0, `Retry-After: ${r.headers.get('retry-after')}`);
        const w = await unchanged(h, () => postStripeWebhook(h.sidecar.url, rekeyed('charge.succeeded'), WEBHOOK_SECRET));
        assertProblem(w, 503, 'overloaded');
        assert.ok(w.headers.get('retry-after'));
        const ready = await fetch(`${h.sidecar.url}/readyz`).then((x) => x.json() as Promise<{ backlog: number }>);
        assert.equal(ready.backlog, 3);

        h.sidecar.dispatcher.start(10);
        await h.sidecar.dispatcher.drain();
        assert.equal(h.sidecar.dispatcher.backlog(), 0);
        assert.equal((await h.engine.event(tick('2026-09-01T00:01:00Z'))).status, 202, 'accepted again once dispatch caught up');
      } finally {
        await h.stop();
      }
    });

    test('no secret, signature or signature header value ever reaches the logs', async () => {
      const lines: string[] = [];
      const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
      const h = await startHarness(dialect, { logger: pino({ level: 'trace' }, sink) });
      const sent: string[] = [];
      try {
        const c = new SignedClient(h.sidecar.url, ENGINE_KEY);
        const originalSend = c.send.bind(c);
        c.send = async (m, p, b, headers) => {
          sent.push(headers['MyBnB-Signature'] ?? '');
          return originalSend(m, p, b, headers);
        };
        await c.event(tick('2026-09-01T00:00:00Z'));
        await c.event({ ...tick('2026-09-01T00:00:00Z'), data: { bad: 1 } });
        await new SignedClient(h.sidecar.url, { keyId: ENGINE_KEY.keyId, secret: 'wrong-secret-0123456789' }).event(tick('2026-09-01T00:00:00Z'));
        await new SignedClient(h.sidecar.url, ENGINE_KEY, () => Math.floor(Date.now() / 1000) - 900).event(tick('2026-09-01T00:00:00Z'));
        await h.reader.event(tick('2026-09-01T00:00:00Z'));
        for (const secret of [WEBHOOK_SECRET, OLD_WEBHOOK_SECRET, 'whsec_wrong_0123456789']) {
          const r = await postStripeWebhook(h.sidecar.url, rekeyed('payment_intent.succeeded'), secret);
          assert.ok(r.status === 200 || r.status === 401);
        }
        await postStripeWebhook(h.sidecar.url, 'not json', WEBHOOK_SECRET);
        await h.sidecar.dispatcher.drain();
      } finally {
        await h.stop();
      }
      const log = lines.join('');
      assert.match(log, /sidecar listening/, 'the capture works: the start was logged');
      const forbidden = [ENGINE_KEY.secret, READER_KEY.secret, WEBHOOK_SECRET, OLD_WEBHOOK_SECRET, 'wrong-secret-0123456789', MYSQL_APP.password, 'v1=', 'MyBnB-Signature', 'Stripe-Signature', 'mybnb-signature', 'stripe-signature'];
      for (const f of forbidden) assert.ok(!log.includes(f), `the logs contain ${f}`);
      for (const header of sent.filter(Boolean)) assert.ok(!log.includes(/v1=([0-9a-f]+)/.exec(header)![1]!), 'a signature value is in the logs');
    });
  });
}
