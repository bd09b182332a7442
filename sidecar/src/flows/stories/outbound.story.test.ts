import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { addDays, DAY_MS, formatIsoUtc, HOUR_MS, localToUtc } from '../../kernel/index.js';
import { dialects, freshDatabase } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { checkedIn, completed, confirmed, eventId, hostConnected, tick, total } from '../../testing/events.js';
import { startTestReceiver } from '../outbound/receiver.test-helper.js';
import { runOutboundCli } from '../../cli/outbound.js';
import { replayInto } from '../../pipeline/replay.js';
import { OUTBOUND_DATA, OutboundEnvelopeSchema } from '../outbound/schemas.js';
import type { OutboundEventType } from '../outbound/catalogue.js';

/**
 * Outbound events from the real handlers, through the running service: a booking is paid,
 * cancelled with a refund, and a second one stays and is paid out; the booking engine's receiver
 * (the example consumer) hears every fact in order, signed; the operator sees the deliveries;
 * a replay of the inbox makes the same events with the same ids.
 */
const KEY = 'story-outbound-secrets-key-0123456789abcdef';
const iso = (ms: number) => formatIsoUtc(ms);

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const dialect of dialects()) {
  describe(`outbound events story on ${dialect}`, () => {
    let h: Harness;
    let rx: Awaited<ReturnType<typeof startTestReceiver>>;
    const lines: string[] = [];
    let secret = '';
    const cli = (argv: string[], env: NodeJS.ProcessEnv = { OUTBOUND_SECRETS_KEY: KEY }) => {
      lines.length = 0;
      return runOutboundCli(argv, { db: h.t.db, env, out: (s = '') => lines.push(s), now_ms: Date.now() });
    };
    before(async () => {
      h = await startHarness(dialect, { stripe: true, config: { outboundSecretsKey: KEY, development: true } });
      rx = await startTestReceiver();
    });
    after(async () => {
      await h?.stop();
      await rx?.close();
    });

    test('the operator adds endpoints: a private address only with --allow-private, http only in development, known types only', async () => {
      assert.equal(await cli(['endpoints', 'add', 'https://10.1.2.3/hooks', '--events', '*']), 1);
      assert.match(lines.join('\n'), /refused \(endpoint_private_address\)/);
      assert.equal(await cli(['endpoints', 'add', 'https://[::ffff:127.0.0.1]/hooks', '--events', '*']), 1);
      assert.equal(await cli(['endpoints', 'add', rx.url, '--events', '*', '--allow-private']), 1);
      assert.match(lines.join('\n'), /endpoint_https_required/);
      await assert.rejects(cli(['endpoints', 'add', 'https://hooks.example/x', '--events', 'payment.captured,refund.issuedd']), /unknown event type refund\.issuedd/);
      await assert.rejects(cli(['endpoints', 'add', 'https://hooks.example/x', '--events', '*'], {}), /OUTBOUND_SECRETS_KEY/);
      assert.equal(await cli(['endpoints', 'add', rx.url, '--events', '*', '--allow-private'], { OUTBOUND_SECRETS_KEY: KEY, NODE_ENV: 'development' }), 0);
      secret = /secret \(shown once; give it to the receiver\): (whsec_\S+)/.exec(lines.join('\n'))![1]!;
      rx.useSecret(secret);
      assert.equal(await cli(['endpoints', 'list']), 0);
      assert.match(lines[0]!, /^ep_[0-9a-f]{16} {2}v1 {2}enabled/);
      assert.equal((await h.t.db('outbound_endpoints')).length, 1, 'only the accepted endpoint was stored');
    });

    test('payment, cancellation with a refund, a stay paid out: each fact announced once, in order, verifiable', async () => {
      await h.engine.event(hostConnected('host_ob', 'acct_1OutboundHost', '2026-01-01T00:00:00Z'));
      const check_in = '2026-11-02';
      const C = localToUtc(check_in, '15:00', 'Europe/Paris');
      const book = async (booking_id: string, policy: string) => {
        const ev = confirmed(iso(C - 60 * DAY_MS), { booking_id, payment_intent_id: 'pi_x', host_id: 'host_ob', guest_id: `g_${booking_id}`, check_in, check_out: addDays(check_in, 3), cancellation_policy: policy });
        const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
        ev.data.payment_intent_id = pi.id;
        assert.equal((await h.engine.event(ev)).status, 202);
      };
      await book('bk_ob1', 'flexible');
      await book('bk_ob2', 'flexible');
      await h.settle();
      const at = iso(C - 30 * DAY_MS);
      const preview = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_ob1&by=guest&at=${encodeURIComponent(at)}`);
      assert.equal(preview.status, 200, preview.text);
      await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: 'bk_ob1', by: 'guest', consent: { outcome_hash: preview.body.outcome_hash, actor: 'g_bk_ob1', consented_at: at } } });
      await h.engine.event(checkedIn('bk_ob2', iso(C + HOUR_MS)));
      await h.engine.event(tick(iso(C + 25 * HOUR_MS)));
      await h.settle();
      await h.engine.event(completed('bk_ob2', iso(C + 3 * DAY_MS)));
      await h.settle();

      await until('the receiver to hear every fact', () => rx.consumer.applied.length >= 5);
      const got = (b: string) => rx.consumer.applied.filter((e) => e.booking_id === b);
      assert.deepEqual(got('bk_ob1').map((e) => [e.type, e.seq]), [['payment.captured', 1], ['refund.issued', 2]]);
      assert.deepEqual(got('bk_ob2').map((e) => [e.type, e.seq]), [['payment.captured', 1], ['payout.sent', 2], ['credit.earned', 3]]);
      assert.equal(rx.consumer.applied.length, 5);
      for (const e of rx.consumer.applied) {
        OutboundEnvelopeSchema.parse(e);
        OUTBOUND_DATA[e.type as OutboundEventType].parse(e.data);
      }
      const captured = got('bk_ob1')[0]!.data;
      assert.equal(captured.amount_minor, 30000 + 5000 + 4200 + 3000);
      assert.equal(captured.currency, 'USD');
      assert.match(String((captured.rule as { policy: string }).policy), /^fees\//);
      const refund = got('bk_ob1')[1]!.data;
      assert.equal(refund.amount_minor, preview.body.outcome.refund_to_guest);
      assert.deepEqual((refund.rule as { policy: string }).policy, preview.body.rule.policy);
      // The ledger entries each event announces are the ones GET /ledger/entries shows.
      const entries = await h.auditor.get('/ledger/entries?booking_id=bk_ob1');
      const keys = new Set(entries.body.entries.map((x: { idempotency_key: string }) => x.idempotency_key));
      for (const e of got('bk_ob1')) for (const k of e.data.entry_ids as string[]) assert.ok(keys.has(k), `${k} is in the ledger`);
      // As a consumer would: every request verifies with the endpoint's secret.
      for (const r of rx.requests) assert.equal((new Webhook(secret).verify(r.body, r.headers) as { id: string }).id, r.headers['webhook-id']);
      assert.ok(rx.requests.every((r) => r.status === 200));

      const delivered = await h.operator.get('/outbound/deliveries?status=delivered');
      assert.equal(delivered.status, 200, delivered.text);
      assert.equal(delivered.body.deliveries.length, 5);
      assert.equal((await h.operator.get('/outbound/deliveries?status=dead')).body.deliveries.length, 0);
      assert.equal((await h.operator.get('/outbound/deliveries?status=lost')).status, 422);
      assert.equal((await h.reader.get('/outbound/deliveries?status=dead')).status, 403, 'a reader key may not see deliveries');
      assert.equal((await h.engine.get('/outbound/deliveries?status=dead')).status, 403, 'deliveries are the operator\'s');
      const metrics = await fetch(`${h.sidecar.url}/metrics`).then((r) => r.text());
      assert.match(metrics, /mybnb_outbound_attempts_total\{outcome="delivered"\} 5/);
      assert.match(metrics, /mybnb_outbound_dead_letters 0/);
    });

    test('a replay of the inbox makes the same outbound events, with the same ids, seqs and bodies', async () => {
      const target = await freshDatabase(dialect);
      try {
        await replayInto(h.t.db, target.db, { logger: pino({ level: 'silent' }) });
        const cols = ['event_id', 'type', 'stream_key', 'seq', 'body'];
        const source = await h.t.db('outbound_events').orderBy('id').select(cols);
        const replayed = await target.db('outbound_events').orderBy('id').select(cols);
        assert.equal(source.length, 5);
        assert.deepEqual(replayed, source);
      } finally {
        await target.drop();
      }
    });
  });
}
