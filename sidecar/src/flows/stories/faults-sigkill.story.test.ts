/**
 * Real sidecar processes (`node --import tsx sidecar/src/main.ts`, configured only by its
 * environment) on one database, on both dialects, against the Stripe fake in this test process.
 *
 * 1. SIGKILL between a Stripe call and its record: a proxy in front of the fake lets the refund
 *    (then the transfer) reach Stripe and be made, and never answers; the process is killed
 *    while it waits. The next process on the same database finds the intent with no attempt,
 *    calls again with the same idempotency key and gets the same object back (replayed). Stripe's
 *    webhooks for the object are held back meanwhile and delivered afterwards: exactly one
 *    refund / transfer at Stripe and exactly one ledger entry for it.
 * 2. No STRIPE_SECRET_KEY: intents are kept, visibly pending (GET /outbox, the CLI), and nothing is
 *    sent; restarted with a key they go out once, and a further restart sends nothing again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { ENGINE_KEY, OPERATOR_KEY, READER_KEY, WEBHOOK_SECRET } from '../../testing/harness.js';
import { cancelRequested, checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { SignedClient } from '../../client/signed-client.js';
import { startStripeFake, type StripeFake } from '../../stripe-fake/index.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';
import type { DatabaseTarget } from '../../db/database-url.js';
import type { IntentStatus } from '../outbox/intents.js';

const REPO = new URL('../../../../', import.meta.url).pathname;

function databaseUrl(t: DatabaseTarget): string {
  return t.dialect === 'sqlite' ? `sqlite:${t.filename}` : `mysql://${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}@${t.host}:${t.port}/${t.database}`;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeout_ms = 30_000): Promise<T> {
  const end = Date.now() + timeout_ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
function forwardHeaders(h: http.IncomingHttpHeaders | Headers): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = h instanceof Headers ? [...h.entries()] : Object.entries(h);
  for (const [k, v] of entries) if (!HOP.has(k.toLowerCase()) && v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/**
 * Stands between the sidecar and the fake. While `hold` matches a POST, the request is passed
 * to the fake (which makes the object), the answer is kept here, and the caller never hears back.
 */
async function startHoldingProxy(target: string) {
  const held: Array<{ path: string; status: number; body: { id?: string } }> = [];
  const s = { hold: null as RegExp | null, held };
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const upstream = await fetch(target + (req.url ?? '/'), { method: req.method, headers: forwardHeaders(req.headers), body: req.method === 'GET' ? undefined : body });
      const text = await upstream.text();
      if (req.method === 'POST' && s.hold?.test(path)) {
        held.push({ path, status: upstream.status, body: JSON.parse(text) });
        return; // never answered: the process is killed while it waits
      }
      const headers = forwardHeaders(upstream.headers);
      delete headers['content-encoding'];
      res.writeHead(upstream.status, headers);
      res.end(text);
    })().catch(() => res.destroy());
  });
  const url = await listen(server);
  return { url, state: s, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** Where the fake sends webhooks: held while closed, then passed to the sidecar now running. */
async function startWebhookGate() {
  const g = { open: true, target: '', delivered: 0, waiters: [] as Array<() => void> };
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      while (!g.open) await new Promise<void>((r) => g.waiters.push(r));
      const r = await fetch(`${g.target}/webhooks/stripe`, { method: 'POST', headers: forwardHeaders(req.headers), body });
      await r.arrayBuffer();
      if (r.status < 300) g.delivered++;
      res.writeHead(r.status).end();
    })().catch(() => { if (!res.headersSent) res.writeHead(502).end(); });
  });
  const url = await listen(server);
  return {
    url, state: g,
    setOpen(open: boolean) {
      g.open = open;
      if (open) for (const w of g.waiters.splice(0)) w();
    },
    close: () => new Promise<void>((r) => { g.open = true; for (const w of g.waiters.splice(0)) w(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

type Proc = { child: ChildProcess; url: string; engine: SignedClient; reader: SignedClient; operator: SignedClient; output: () => string };

/** Starts `npm start`'s entry point with an environment like production's (never demo mode). */
async function startProcess(t: TestDatabase, stripe: { key: string | null; apiUrl: string }): Promise<Proc> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'STRIPE_WEBHOOK_SECRETS', 'SIDECAR_KEYS', 'DATABASE_URL', 'PORT', 'LOG_LEVEL', 'POLICY_DIR']) delete env[k];
  Object.assign(env, {
    PORT: '0', DATABASE_URL: databaseUrl(t.target), LOG_LEVEL: 'info', POLICY_DIR: `${REPO}policies`,
    SIDECAR_KEYS: `${ENGINE_KEY.keyId}:${ENGINE_KEY.secret}:booking-engine,${READER_KEY.keyId}:${READER_KEY.secret}:reader,${OPERATOR_KEY.keyId}:${OPERATOR_KEY.secret}:operator`,
    STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET, STRIPE_API_URL: stripe.apiUrl,
    ...(stripe.key ? { STRIPE_SECRET_KEY: stripe.key } : {}),
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'sidecar/src/main.ts'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += String(d); });
  child.stderr!.on('data', (d) => { out += String(d); });
  const url = await until('the sidecar to listen', async () => {
    if (child.exitCode !== null) throw new Error(`sidecar exited with ${child.exitCode}:\n${out}`);
    const line = out.split('\n').find((l) => l.includes('"sidecar listening"'));
    return line ? (JSON.parse(line) as { url: string }).url : undefined;
  }, 60_000);
  return { child, url, engine: new SignedClient(url, ENGINE_KEY), reader: new SignedClient(url, READER_KEY), operator: new SignedClient(url, OPERATOR_KEY), output: () => out };
}

async function kill(p: Proc, signal: NodeJS.Signals): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill(signal);
  await exited;
}

for (const dialect of dialects()) {
  describe(`real sidecar processes on ${dialect}: SIGKILL and a missing Stripe key`, () => {
    let t: TestDatabase;
    let fake: StripeFake;
    let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
    let gate: Awaited<ReturnType<typeof startWebhookGate>>;
    const procs: Proc[] = [];

    before(async () => {
      t = await freshDatabase(dialect);
      // Enough delivery attempts that a webhook held at the gate for a while is still delivered.
      fake = await startStripeFake({ idTag: `k${dialect}`, webhookAttempts: 9, webhookBackoff_ms: 50 });
      proxy = await startHoldingProxy(fake.url);
      gate = await startWebhookGate();
      fake.setWebhookTarget(`${gate.url}/webhooks/stripe`, WEBHOOK_SECRET);
    });
    after(async () => {
      for (const p of procs) await kill(p, 'SIGKILL');
      await gate?.close();
      await proxy?.close();
      await fake?.close();
      await t?.drop();
    });

    async function start(key: string | null = 'sk_test_sigkill_story'): Promise<Proc> {
      const p = await startProcess(t, { key, apiUrl: proxy.url });
      procs.push(p);
      gate.state.target = p.url;
      return p;
    }

    async function paidBooking(p: Proc, booking_id: string, o: { host_id?: string; check_in?: string; check_out?: string } = {}) {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_placeholder', host_id: o.host_id ?? 'host_kill', check_in: o.check_in ?? '2027-03-10', check_out: o.check_out ?? '2027-03-13' });
      const pi = fake.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await p.engine.event(ev)).status, 202);
      await until(`${booking_id} paid`, async () => (await p.reader.get(`/bookings/${booking_id}`)).body?.state === 'paid');
      return pi;
    }

    async function guestCancels(p: Proc, booking_id: string, at = '2026-09-15T10:00:00Z') {
      const preview = await p.engine.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=guest&at=${encodeURIComponent(at)}`);
      assert.equal(preview.status, 200, preview.text);
      assert.equal((await p.engine.event(cancelRequested(booking_id, 'guest', preview.body.outcome_hash, at))).status, 202);
      return preview.body as { outcome: { refund_to_guest: number } };
    }

    const outboxOf = async (p: Proc, booking_id: string, operation: string, status?: string): Promise<IntentStatus | undefined> => {
      const r = await p.operator.get(`/outbox${status ? `?status=${status}` : ''}`);
      assert.equal(r.status, 200, r.text);
      return (r.body.intents as IntentStatus[]).find((i) => i.booking_id === booking_id && i.operation === operation);
    };
    const count = async (where: Record<string, string>) => Number((await t.db('journal_entries').where(where).count({ n: '*' }).first())?.n);
    const webhooksDone = () => until('webhooks delivered', async () => fake.state.events.every((e) => e.delivery === 'delivered'));
    /** Waits until the sidecar has dispatched every webhook about `objectId`; returns their results by type. */
    async function webhookResults(p: Proc, objectId: string): Promise<Record<string, string>> {
      const events = fake.state.events.filter((e) => (e.event.data.object as { id?: string }).id === objectId);
      assert.ok(events.length > 0, `Stripe sent webhooks about ${objectId}`);
      const results: Record<string, string> = {};
      for (const e of events) {
        results[e.event.type] = await until(`webhook ${e.event.type} dispatched`, async () => {
          const r = await p.operator.get(`/inbox/stripe/${e.event.id}`);
          return r.status === 200 && !['received', 'parked'].includes(r.body.status) ? `${r.body.status}:${r.body.code ?? ''}` : undefined;
        });
      }
      return results;
    }
    async function ledgerSound() {
      const tb = await trialBalance(t.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, `trial balance ${row.unit}`);
      const report = await verifyLedger(t.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));
    }

    test('SIGKILL after Stripe made the refund, then the transfer, before the sidecar recorded it: one object, one entry each', async () => {
      // ── process A: a paid booking cancelled by its guest; killed while its refund call is unanswered
      const a = await start();
      const pi = await paidBooking(a, 'bk_kill_refund');
      assert.equal((await a.engine.event(hostConnected('host_kill_pay', 'acct_1KillHost', '2026-09-01T09:00:00Z'))).status, 202);
      await paidBooking(a, 'bk_kill_payout', { host_id: 'host_kill_pay', check_in: '2026-10-10', check_out: '2026-10-13' });
      assert.equal((await a.engine.event(checkedIn('bk_kill_payout', '2026-10-10T13:05:00Z'))).status, 202);
      await until('payment webhooks delivered', async () => fake.state.events.every((e) => e.delivery === 'delivered'));

      proxy.state.hold = /^\/v1\/refunds$/;
      gate.setOpen(false); // Stripe's refund webhooks wait, so only the outbox can record the refund
      const preview = await guestCancels(a, 'bk_kill_refund');
      const held = await until('the refund made at Stripe, its answer held', async () => proxy.state.held.find((x) => x.path === '/v1/refunds'));
      assert.equal(held.status, 200);
      const refundsAtStripe = () => [...fake.state.refunds.values()].filter((r) => r.payment_intent === pi.id);
      assert.equal(refundsAtStripe().length, 1);
      await kill(a, 'SIGKILL');

      const intent = (await t.db('outbox_intents').where({ booking_id: 'bk_kill_refund', operation: 'refund' }))[0] as { intent_id: string };
      assert.ok(intent, 'the intent was written with the decision');
      assert.equal((await t.db('outbox_attempts').where({ intent_id: intent.intent_id })).length, 0, 'the call was never recorded');
      assert.equal(await count({ booking_id: 'bk_kill_refund', kind: 'refund_paid' }), 0);
      assert.equal((await t.db('inbox_events').where({ source: 'stripe_api', event_id: `refund:${held.body.id}` })).length, 0);

      // ── process B on the same database: retries with the same key, gets the same refund back
      proxy.state.hold = null;
      const b = await start();
      const done = await until('the refund intent to succeed', async () => {
        const i = await outboxOf(b, 'bk_kill_refund', 'refund');
        return i?.status === 'succeeded' ? i : undefined;
      });
      assert.equal(done.intent_id, intent.intent_id);
      assert.deepEqual(done.attempts.map((x) => [x.attempt, x.outcome, x.stripe_object_id]), [[1, 'succeeded', held.body.id]]);
      const calls = fake.state.requests.filter((r) => r.path === '/v1/refunds' && r.idempotencyKey === intent.intent_id);
      assert.deepEqual(calls.map((r) => [r.status, r.replayed]), [[200, false], [200, true]], 'the retry was a replay, not a new refund');
      assert.equal(refundsAtStripe().length, 1, 'exactly one refund at Stripe');
      await until('the refund posted', async () => (await count({ idempotency_key: `refund:${held.body.id}` })) === 1);

      gate.setOpen(true); // now Stripe's own webhooks for the refund arrive as well
      await webhooksDone();
      await until('booking refunded', async () => (await b.reader.get('/bookings/bk_kill_refund')).body.state === 'refunded');
      const refundHooks = await webhookResults(b, held.body.id!);
      assert.equal(refundHooks['refund.created'], 'ignored:already_posted', 'the webhook came after the API object and posted nothing');
      assert.equal(await count({ idempotency_key: `refund:${held.body.id}` }), 1, 'one entry, though the refund arrived through the API and the webhooks');
      assert.equal(await count({ booking_id: 'bk_kill_refund', kind: 'refund_paid' }), 1);
      const view = await b.reader.get('/bookings/bk_kill_refund');
      assert.equal(view.body.refunded_minor, preview.outcome.refund_to_guest);
      assert.equal(refundsAtStripe()[0]!.amount, preview.outcome.refund_to_guest);

      // ── B pays the host out and is killed while the transfer call is unanswered
      proxy.state.hold = /^\/v1\/transfers$/;
      gate.setOpen(false);
      assert.equal((await b.engine.event(tick('2026-10-11T13:00:00Z'))).status, 202);
      const heldTransfer = await until('the transfer made at Stripe, its answer held', async () => proxy.state.held.find((x) => x.path === '/v1/transfers'));
      const transfersAtStripe = () => [...fake.state.transfers.values()].filter((x) => x.transfer_group === 'bk_kill_payout');
      assert.equal(transfersAtStripe().length, 1);
      await kill(b, 'SIGKILL');
      const tIntent = (await t.db('outbox_intents').where({ booking_id: 'bk_kill_payout', operation: 'transfer' }))[0] as { intent_id: string };
      assert.equal((await t.db('outbox_attempts').where({ intent_id: tIntent.intent_id })).length, 0);
      assert.equal(await count({ booking_id: 'bk_kill_payout', kind: 'host_transfer' }), 0);

      // ── process C finishes it
      proxy.state.hold = null;
      const c = await start();
      const tDone = await until('the transfer intent to succeed', async () => {
        const i = await outboxOf(c, 'bk_kill_payout', 'transfer');
        return i?.status === 'succeeded' ? i : undefined;
      });
      assert.deepEqual(tDone.attempts.map((x) => [x.attempt, x.outcome, x.stripe_object_id]), [[1, 'succeeded', heldTransfer.body.id]]);
      assert.deepEqual(fake.state.requests.filter((r) => r.path === '/v1/transfers' && r.idempotencyKey === tIntent.intent_id).map((r) => r.replayed), [false, true]);
      gate.setOpen(true);
      await webhooksDone();
      await until('booking paid out', async () => (await c.reader.get('/bookings/bk_kill_payout')).body.state === 'paid_out');
      const transferHooks = await webhookResults(c, heldTransfer.body.id!);
      assert.equal(transferHooks['transfer.created'], 'ignored:already_posted');
      assert.equal(transfersAtStripe().length, 1, 'exactly one transfer at Stripe');
      assert.equal(await count({ idempotency_key: `transfer:${heldTransfer.body.id}` }), 1);
      assert.equal(await count({ booking_id: 'bk_kill_payout', kind: 'host_transfer' }), 1);
      await ledgerSound();
      await kill(c, 'SIGTERM');
      assert.equal(c.child.exitCode, 0, c.output().slice(-2000));
    });

    test('without STRIPE_SECRET_KEY intents stay pending and visible, nothing is sent; with a key they go out once', async () => {
      const refundCalls = () => fake.state.requests.filter((r) => r.path === '/v1/refunds').length;
      const d = await start(null);
      assert.match(d.output(), /STRIPE_SECRET_KEY is not set/);
      const pi = await paidBooking(d, 'bk_nokey');
      const preview = await guestCancels(d, 'bk_nokey');
      const pending = await until('the refund intent', () => outboxOf(d, 'bk_nokey', 'refund', 'pending'));
      const before = refundCalls();
      const lookups = () => fake.state.requests.filter((r) => r.path.startsWith('/v1/balance_transactions/')).length;
      const lookupsBefore = lookups();
      await sleep(1500); // many outbox intervals
      const still = await outboxOf(d, 'bk_nokey', 'refund', 'pending');
      assert.ok(still, 'still pending');
      assert.equal(still.attempts.length, 0);
      assert.equal(refundCalls(), before, 'nothing was sent');
      assert.equal(lookups(), lookupsBefore, 'not even the fee lookup');
      assert.ok(await outboxOf(d, 'bk_nokey', 'balance_transaction', 'pending'), 'the fee lookup waits visibly too');
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'sidecar/src/cli/main.ts', 'outbox', '--status', 'pending'], { cwd: REPO, env: { ...process.env, DATABASE_URL: databaseUrl(t.target) }, encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);
      assert.match(cli.stdout, new RegExp(`^pending\\s+refund\\s+${pending.intent_id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+booking=bk_nokey attempts=0$`, 'm'));
      await kill(d, 'SIGTERM');

      const e = await start();
      const done = await until('the refund to go out', async () => {
        const i = await outboxOf(e, 'bk_nokey', 'refund');
        return i?.status === 'succeeded' ? i : undefined;
      });
      await webhooksDone();
      await until('booking refunded', async () => (await e.reader.get('/bookings/bk_nokey')).body.state === 'refunded');
      const refunds = [...fake.state.refunds.values()].filter((r) => r.payment_intent === pi.id);
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0]!.amount, preview.outcome.refund_to_guest);
      assert.equal(done.attempts.length, 1);
      assert.equal(await count({ idempotency_key: `refund:${refunds[0]!.id}` }), 1);
      await kill(e, 'SIGTERM');

      // a further restart sends nothing again
      const sent = refundCalls();
      const f = await start();
      await sleep(1000);
      assert.equal(refundCalls(), sent);
      assert.equal((await outboxOf(f, 'bk_nokey', 'refund'))!.attempts.length, 1);
      assert.equal(await count({ booking_id: 'bk_nokey', kind: 'refund_paid' }), 1);
      await ledgerSound();
      await kill(f, 'SIGTERM');
    });
  });
}
