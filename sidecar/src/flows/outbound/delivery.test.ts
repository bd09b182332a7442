import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import type { Db } from '../../db/connect.js';
import { emitOutbound } from './emit.js';
import { addEndpoint, changeEndpoint, currentEndpoint, currentEndpoints, rotateEndpoint } from './endpoints.js';
import { listDeliveries, resendDelivery } from './deliveries.js';
import { OutboundWorker, type OutboundWorkerOptions } from './worker.js';
import { fullSchedule, DELIVERY_WINDOW_MS } from './schedule.js';
import { startTestReceiver } from './receiver.test-helper.js';
import { deriveSecret } from './secrets.js';

const KEY = 'test-outbound-secrets-key-0123456789abcdef';
const T0 = Date.parse('2026-09-01T12:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const logger = pino({ level: 'silent' });

let n = 0;
/** One committed outbound event, as a handler's transaction would write it. */
async function emit(db: Db, booking_id: string, type: 'payment.captured' | 'refund.issued' = 'refund.issued') {
  n++;
  return db.transaction((trx) => emitOutbound(trx, {
    type, booking_id, occurred_at: '2026-09-01T12:00:00Z', inbox_id: n,
    data: type === 'refund.issued'
      ? { booking_id, refund_id: `re_${n}`, amount_minor: 100 * n, currency: 'EUR', rule: null, decision_id: `d${n}`, entry_ids: [`refund:re_${n}`] }
      : { booking_id, payment_intent_id: `pi_${n}`, amount_minor: 1000, currency: 'EUR', host_share_minor: 800, platform_fees_minor: 150, taxes_minor: 50, rule: null, decision_id: `d${n}`, entry_ids: [`payment:pi_${n}`] },
  }));
}

function worker(db: Db, o: Partial<OutboundWorkerOptions> = {}) {
  return new OutboundWorker(db, { logger, secretsKey: KEY, allowHttp: true, perEndpoint: 4, timeout_ms: 2000, ...o });
}

async function endpointFor(db: Db, url: string, events = ['*']) {
  return addEndpoint(db, { url, events, allow_private: true, secretsKey: KEY, now_iso: new Date(T0).toISOString() });
}

/** Runs the worker at each due instant, jumping simulated time to the next retry, until `until_ms`. */
async function runUntil(w: OutboundWorker, db: Db, from_ms: number, until_ms: number, step_ms?: number): Promise<number> {
  let now = from_ms;
  while (now <= until_ms) {
    await w.drain(now);
    if (step_ms) {
      now += step_ms;
      continue;
    }
    const waiting = await listDeliveries(db, { status: 'retrying', limit: 1000 });
    const next = Math.min(...waiting.map((d) => Date.parse(d.last_attempt!.next_attempt_at!)));
    if (!Number.isFinite(next)) return now;
    now = Math.max(now + 1, next);
  }
  return now;
}

for (const dialect of dialects()) {
  describe(`outbound delivery on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
    });
    after(async () => t.drop());
    // Each test has its own receiver: the endpoints of the tests before are switched off.
    afterEach(async () => {
      for (const e of await currentEndpoints(t.db)) await changeEndpoint(t.db, e.endpoint_id, 'disabled', 'test over', new Date(T0).toISOString());
    });

    test('receiver down for 2 simulated hours, then up: every event once, in order per booking', async () => {
      const rx = await startTestReceiver();
      const { endpoint, secret } = await endpointFor(t.db, rx.url);
      rx.useSecret(secret);
      const bookings = ['bk_a', 'bk_b', 'bk_c'];
      for (let i = 0; i < 4; i++) for (const b of bookings) await emit(t.db, b);
      rx.set('down');
      const w = worker(t.db);
      await runUntil(w, t.db, T0, T0 + 2 * HOUR, 5 * MIN);
      assert.equal(rx.consumer.applied.length, 0);
      // While down, only each booking's first event was tried: the next ones wait behind it.
      const tried = new Set(rx.requests.map((r) => (JSON.parse(r.body) as { booking_id: string; seq: number }).seq));
      assert.deepEqual([...tried], [1]);
      rx.set('up');
      await runUntil(w, t.db, T0 + 2 * HOUR, T0 + 6 * HOUR, 5 * MIN);
      const applied = rx.consumer.applied;
      assert.equal(applied.length, 12);
      assert.equal(new Set(applied.map((e) => e.id)).size, 12);
      for (const b of bookings) assert.deepEqual(applied.filter((e) => e.booking_id === b).map((e) => e.seq), [1, 2, 3, 4]);
      assert.deepEqual(rx.consumer.gaps, []);
      assert.equal((await listDeliveries(t.db, { endpoint_id: endpoint.endpoint_id, status: 'delivered' })).length, 12);
      await w.stop();
      await rx.close();
    });

    test('500 forever: a dead letter after 3 days of backoff, and the next event of the booking goes on', async () => {
      let first: string | null = null;
      const rx = await startTestReceiver({ answer: (e) => (e && (first ??= e.id) === e.id ? 500 : 'up') });
      const { endpoint, secret } = await endpointFor(t.db, rx.url);
      rx.useSecret(secret);
      const e1 = await emit(t.db, 'bk_dead');
      const e2 = await emit(t.db, 'bk_dead');
      const w = worker(t.db);
      await runUntil(w, t.db, T0, T0 + 5 * 24 * HOUR);
      const dead = await listDeliveries(t.db, { endpoint_id: endpoint.endpoint_id, status: 'dead' });
      assert.deepEqual(dead.map((d) => d.event_id), [e1.event_id]);
      const schedule = fullSchedule(T0);
      assert.equal(dead[0]!.attempts, schedule.length, 'every attempt of the schedule was made');
      const attempts = rx.requests.filter((r) => JSON.parse(r.body).id === e1.event_id);
      assert.equal(attempts.length, schedule.length);
      assert.ok(schedule[schedule.length - 1]! - T0 <= DELIVERY_WINDOW_MS && schedule[schedule.length - 1]! - T0 > 2 * 24 * HOUR, 'retried for (almost) 3 days');
      // e2 waited behind e1 and went out only once e1 was dead.
      assert.deepEqual(rx.consumer.applied.map((e) => e.id), [e2.event_id]);
      const e2Row = await t.db('outbound_attempts').where({ event_id: e2.event_id }).first();
      const deadRow = await t.db('outbound_attempts').where({ event_id: e1.event_id, outcome: 'dead' }).first();
      assert.ok(Date.parse(e2Row.attempted_at) >= Date.parse(deadRow.attempted_at));
      // The operator re-sends it once the receiver is fixed: same webhook-id, delivered.
      first = 'fixed';
      await resendDelivery(t.db, { event_id: e1.event_id, endpoint_id: endpoint.endpoint_id, now_iso: new Date(T0 + 6 * 24 * HOUR).toISOString() });
      assert.equal((await listDeliveries(t.db, { endpoint_id: endpoint.endpoint_id, status: 'pending' })).length, 1);
      await w.drain(T0 + 6 * 24 * HOUR);
      const last = rx.requests[rx.requests.length - 1]!;
      assert.equal(last.headers['webhook-id'], e1.event_id);
      assert.equal(last.status, 200);
      // The consumer had moved past seq 1: for it this is stale, and it says so with a 2xx.
      assert.deepEqual(rx.consumer.applied.map((e) => e.id), [e2.event_id]);
      assert.equal((await listDeliveries(t.db, { endpoint_id: endpoint.endpoint_id, status: 'delivered' })).length, 2);
      assert.equal((await listDeliveries(t.db, { endpoint_id: endpoint.endpoint_id, status: 'dead' })).length, 0);
      await assert.rejects(resendDelivery(t.db, { event_id: 'evt_nope', endpoint_id: endpoint.endpoint_id, now_iso: new Date(T0).toISOString() }), /no outbound event/);
      await w.stop();
      await rx.close();
    });

    test('410 Gone disables the endpoint: a new version, and nothing more is sent', async () => {
      const rx = await startTestReceiver();
      rx.set(410);
      const { endpoint } = await endpointFor(t.db, rx.url);
      await emit(t.db, 'bk_gone');
      await emit(t.db, 'bk_gone2');
      const w = worker(t.db, { perEndpoint: 1 });
      await w.drain(T0);
      const now = await currentEndpoint(t.db, endpoint.endpoint_id);
      assert.equal(now!.status, 'disabled');
      assert.equal(now!.change, 'gone');
      assert.equal(now!.version, 2);
      const sent = rx.requests.length;
      assert.equal(sent, 1);
      await w.drain(T0 + HOUR);
      assert.equal(rx.requests.length, sent);
      await w.stop();
      await rx.close();
    });

    test('a crash after the POST and before its row: sent again with the same webhook-id, applied once', async () => {
      const rx = await startTestReceiver();
      const { secret } = await endpointFor(t.db, rx.url);
      rx.useSecret(secret);
      const ev = await emit(t.db, 'bk_crash');
      const crashing = worker(t.db, { beforeRecord: () => { throw new Error('simulated crash'); } });
      await assert.rejects(crashing.runOnce(T0), /simulated crash/);
      assert.equal(rx.requests.length, 1);
      const restarted = worker(t.db);
      await restarted.drain(T0 + 1000);
      assert.equal(rx.requests.length, 2);
      assert.deepEqual(rx.requests.map((r) => r.headers['webhook-id']), [ev.event_id, ev.event_id]);
      assert.equal(rx.consumer.applied.filter((e) => e.id === ev.event_id).length, 1);
      assert.equal(rx.consumer.duplicates, 1);
      await crashing.stop();
      await restarted.stop();
      await rx.close();
    });

    test('a crash between the ledger commit and delivery loses nothing; a rolled-back fact announces nothing', async () => {
      const rx = await startTestReceiver();
      const { secret } = await endpointFor(t.db, rx.url);
      rx.useSecret(secret);
      const committed = await emit(t.db, 'bk_commit');
      // The handler's transaction fails after emitting: the event goes with the fact.
      await assert.rejects(t.db.transaction(async (trx) => {
        await emitOutbound(trx, { type: 'refund.issued', booking_id: 'bk_commit', occurred_at: '2026-09-01T12:00:00Z', inbox_id: 9999, data: { booking_id: 'bk_commit', refund_id: 're_rolled', amount_minor: 1, currency: 'EUR', rule: null, decision_id: null, entry_ids: ['refund:re_rolled'] } });
        throw new Error('the ledger write failed');
      }), /ledger write failed/);
      // No worker was running when it committed (the process died): a new one finds it.
      const w = worker(t.db);
      await w.drain(T0);
      assert.deepEqual(rx.consumer.applied.map((e) => e.id), [committed.event_id]);
      assert.equal(await t.db('outbound_events').where({ booking_id: 'bk_commit' }).count({ n: '*' }).first().then((r) => Number(r!.n)), 1);
      await w.stop();
      await rx.close();
    });

    test('signatures verify with the standardwebhooks library, with both secrets during a rotation, and fail with the rotated-out one', async () => {
      const rx = await startTestReceiver({ answer: () => 204 });
      const { endpoint, secret: oldSecret } = await endpointFor(t.db, rx.url);
      const w = worker(t.db);
      const e1 = await emit(t.db, 'bk_sig');
      await w.drain(T0);
      const { secret: newSecret } = await rotateEndpoint(t.db, endpoint.endpoint_id, { secretsKey: KEY, overlap_ms: 24 * HOUR, now_ms: T0, now_iso: new Date(T0).toISOString() });
      assert.notEqual(newSecret, oldSecret);
      const e2 = await emit(t.db, 'bk_sig');
      await w.drain(T0 + HOUR); // inside the overlap
      const e3 = await emit(t.db, 'bk_sig');
      await w.drain(T0 + 25 * HOUR); // after it
      const [r1, r2, r3] = rx.requests;
      assert.deepEqual([r1, r2, r3].map((r) => r!.headers['webhook-id']), [e1.event_id, e2.event_id, e3.event_id]);
      const verify = (secret: string, r: typeof r1) => new Webhook(secret).verify(r!.body, r!.headers) as { id: string; seq: number };
      assert.equal(verify(oldSecret, r1).id, e1.event_id);
      assert.throws(() => verify(newSecret, r1), /No matching signature/);
      assert.equal(r2!.headers['webhook-signature']!.split(' ').length, 2);
      assert.equal(verify(oldSecret, r2).seq, 2);
      assert.equal(verify(newSecret, r2).seq, 2);
      assert.equal(verify(newSecret, r3).seq, 3);
      assert.throws(() => verify(oldSecret, r3), /No matching signature/);
      assert.throws(() => new Webhook(newSecret).verify(r3!.body.replace('"seq":3', '"seq":4'), r3!.headers), /No matching signature/);
      assert.match(r1!.headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
      // The stored rows hold no secret, only the salt it is derived from with OUTBOUND_SECRETS_KEY.
      const rows = await t.db('outbound_endpoints').where({ endpoint_id: endpoint.endpoint_id });
      assert.ok(!JSON.stringify(rows).includes(newSecret.slice(6, 20)));
      assert.equal(deriveSecret(KEY, rows[rows.length - 1].secret_salt), newSecret);
      assert.notEqual(deriveSecret('another-key-of-enough-length-0123456789', rows[rows.length - 1].secret_salt), newSecret);
      await w.stop();
      await rx.close();
    });

    test('a name that resolves to a private address at delivery time is refused: nothing reaches it', async () => {
      const rx = await startTestReceiver({ answer: () => 200 });
      let resolvesTo = '93.184.216.34';
      const lookup = async () => [{ address: resolvesTo, family: 4 }];
      const { endpoint } = await addEndpoint(t.db, { url: `http://rebind.test:${rx.port}/hooks`, events: ['*'], allow_private: false, secretsKey: KEY, now_iso: new Date(T0).toISOString() });
      resolvesTo = '127.0.0.1';
      await emit(t.db, 'bk_ssrf');
      const w = worker(t.db, { lookup });
      await w.drain(T0);
      assert.equal(rx.requests.length, 0);
      const [d] = await listDeliveries(t.db, { endpoint_id: endpoint.endpoint_id, booking_id: 'bk_ssrf' });
      assert.equal(d!.status, 'retrying');
      assert.equal(d!.last_attempt!.error_code, 'endpoint_private_address');
      await w.stop();
      await rx.close();
    });

    test('outbound rows are append-only', async () => {
      await emit(t.db, 'bk_append');
      await assert.rejects(t.admin('outbound_events').where({ booking_id: 'bk_append' }).update({ seq: 9 }), /append-only/);
      await assert.rejects(t.admin('outbound_endpoints').del(), /append-only/);
    });
  });
}
