/**
 * A local fake of the Stripe API for tests and demo mode. Point the real SDK at it:
 *
 *   const fake = await startStripeFake({ webhookUrl, webhookSecret });
 *   const stripe = new Stripe('sk_test_fake', { host: fake.host, port: fake.port, protocol: fake.protocol });
 *
 * It serves the endpoints the sidecar calls (payment intents, charges, refunds, transfers,
 * transfer reversals, balance transactions), replays idempotent requests like Stripe, can inject
 * 5xx / 429 / timeouts / lost answers, and sends the signed webhooks Stripe would send.
 * Ids and `created` times are deterministic; nothing here reads the wall clock except webhook
 * signatures, which receivers check against their own clock.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import Stripe from 'stripe';
import type { FaultControl } from './faults.js';
import { FakeClock, IdSequence } from './ids.js';
import { FakeStripeModel, type RequestContext, type StripeFakeState } from './model.js';
import { snapshot } from './objects.js';
import { noSuchObject } from './errors.js';
import { FakeHttpServer, type RequestLogEntry } from './server.js';
import type { FakeWebhookEndpoints } from './webhook-endpoints.js';
import { REPO_ROOT } from '../repo-root.js';
import { WebhookDispatcher, type EventRecord, type FakeEvent } from './webhooks.js';
import { FakeBilling } from './billing.js';
import { billingRoutes } from './billing-routes.js';
import { FakeDisputes } from './disputes.js';
import { FakeFiles } from './files.js';
import { FakePayouts } from './payouts.js';

export type { FaultControl, FaultMatch, FaultStatus } from './faults.js';
export type { RequestLogEntry } from './server.js';
export type { EventRecord, FakeEvent } from './webhooks.js';
export type { StripeFakeState } from './model.js';
export { FakeBilling, DEFAULT_PRICES, type FakePrice } from './billing.js';
export { startWebhookReceiver, type WebhookReceiver, type ReceivedDelivery } from './receiver.js';

export interface StripeFakeOptions {
  /** 0 (default) picks a free port. The fake listens on 127.0.0.1 only. */
  port?: number;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Also serve the fixture balance transactions from fixtures/stripe when present (default true). */
  seedBalanceTransactions?: boolean;
  /** Pause before the first delivery attempt of each event (default 0). */
  webhookDelay_ms?: number;
  /** Delivery attempts per event (default 4) and the first retry pause, doubled each time (default 50). */
  webhookAttempts?: number;
  webhookBackoff_ms?: number;
  /** Middle part of every id (`re_<idTag>_000001`), default 'fake'; give each demo database its own. */
  idTag?: string;
  /** Initial fake time in unix seconds (default 1790000000). */
  now_s?: number;
  /** `api_version` written into events (default: the installed SDK's pinned version). */
  apiVersion?: string;
}

export interface StripeFake {
  url: string;
  host: string;
  port: number;
  protocol: 'http';
  /** `{ host, port, protocol }`, ready to spread into `new Stripe(key, { ... })`. */
  sdkOptions: { host: string; port: number; protocol: 'http' };
  close(): Promise<void>;
  faults: FaultControl;
  state: StripeFakeState & { requests: RequestLogEntry[]; events: EventRecord[] };
  /** Waits until every queued webhook was delivered or gave up (immediately if no target is set). */
  deliverAll(): Promise<void>;
  /** Webhook endpoints made through the API (POST /v1/webhook_endpoints), secrets included. */
  webhookEndpoints: FakeWebhookEndpoints;
  setWebhookTarget(url: string, secret: string): void;
  /** The next refund is created `pending`, then reported failed through `refund.updated`. */
  failNextRefund(reason?: string): void;
  setNow(unix_s: number): void;
  now(): number;
  /** Card disputes: open one on a charge, see what was submitted, close it. */
  disputes: FakeDisputes;
  /** Uploaded files (POST /v1/files), with their contents: for tests. */
  files: FakeFiles;
  /** Platform payouts (issue #12): make one as Stripe's schedule would, pay it or fail it. */
  payouts: FakePayouts;
  /** Forgets every stored idempotent result, as Stripe does after 24 h. */
  expireIdempotencyKeys(): void;
  /**
   * A confirmed card payment made without going through HTTP, for tests and demos that need
   * "the guest has paid": the same objects and webhooks as POST /v1/payment_intents with confirm=true.
   */
  /** Stripe Billing (#14): subscriptions, invoices, prorations, credit notes; test controls (renew, failures). */
  billing: FakeBilling;
  createPayment(p: { amount: number; currency: string; metadata?: Record<string, string>; description?: string; transfer_group?: string }): Stripe.PaymentIntent;
}

const FIXTURE_BALANCE_TRANSACTIONS = pathToFileURL(join(REPO_ROOT, 'fixtures/stripe/_objects/balance_transactions.json'));

export async function startStripeFake(opts: StripeFakeOptions = {}): Promise<StripeFake> {
  const apiVersion = opts.apiVersion ?? Stripe.API_VERSION;
  const ids = new IdSequence(opts.idTag ?? 'fake');
  const clock = new FakeClock(opts.now_s);
  const dispatcher = new WebhookDispatcher({
    ...(opts.webhookUrl !== undefined ? { url: opts.webhookUrl } : {}),
    ...(opts.webhookSecret !== undefined ? { secret: opts.webhookSecret } : {}),
    delay_ms: opts.webhookDelay_ms ?? 0,
    attempts: opts.webhookAttempts ?? 4,
    backoff_ms: opts.webhookBackoff_ms ?? 50,
    timeout_ms: 5_000,
  });
  if ((opts.webhookUrl === undefined) !== (opts.webhookSecret === undefined)) throw new RangeError('webhookUrl and webhookSecret go together');

  const pendingTasks = new Set<Promise<void>>();
  let closed = false;
  const emit = (type: string, object: unknown, ctx: RequestContext, previous_attributes?: Record<string, unknown>): void => {
    const event: FakeEvent = {
      id: ids.next('evt'),
      object: 'event',
      ...(ctx.account !== null ? { account: ctx.account } : {}),
      api_version: apiVersion,
      created: clock.now(),
      data: previous_attributes === undefined ? { object: snapshot(object) } : { object: snapshot(object), previous_attributes },
      livemode: false,
      pending_webhooks: 1,
      request: { id: ctx.request_id, idempotency_key: ctx.idempotency_key },
      type,
    };
    dispatcher.enqueue(event);
  };
  const schedule = (task: () => void): void => {
    // setImmediate runs before the next request can be read, so ids stay in request order.
    const p = new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          if (!closed) task();
        } finally {
          resolve();
        }
      }),
    );
    pendingTasks.add(p);
    void p.finally(() => pendingTasks.delete(p));
  };

  const model = new FakeStripeModel(ids, clock, emit, schedule);
  if (opts.seedBalanceTransactions !== false) await seedFixtureBalanceTransactions(model);
  const billing = new FakeBilling(ids, clock, emit, model);
  const http = new FakeHttpServer(model, apiVersion, billingRoutes(billing));
  const files = new FakeFiles(ids, clock);
  for (const r of files.routes()) http.addRoute(r);
  const disputes = new FakeDisputes(model, ids, clock, emit, (id) => files.has(id, 'dispute_evidence'));
  http.addRoute({ method: 'POST', pattern: /^\/v1\/disputes\/([A-Za-z0-9_]+)$/, handler: (x, p, c) => disputes.update(x[1] as string, p, c) });
  http.addRoute({ method: 'GET', pattern: /^\/v1\/disputes\/([A-Za-z0-9_]+)$/, handler: (x) => { const d = disputes.all.get(x[1] as string); if (!d) throw noSuchObject('dispute', x[1] as string); return disputes.view(d); } });
  const payouts = new FakePayouts(model, ids, clock, emit);
  http.addRoute({ method: 'GET', pattern: /^\/v1\/payouts\/([A-Za-z0-9_]+)$/, handler: (x) => snapshot(payouts.get(x[1] as string)) });
  const port = await http.listen(opts.port ?? 0);
  const host = '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    host,
    port,
    protocol: 'http',
    sdkOptions: { host, port, protocol: 'http' },
    faults: http.faults,
    billing,
    state: Object.assign(model.state, { requests: http.requests, events: dispatcher.log }),
    async close() {
      closed = true;
      dispatcher.close();
      await http.close();
    },
    async deliverAll() {
      while (pendingTasks.size > 0 || dispatcher.busy()) {
        await Promise.all([...pendingTasks]);
        await dispatcher.idle();
      }
    },
    webhookEndpoints: http.webhookEndpoints,
    setWebhookTarget: (url, secret) => dispatcher.setTarget(url, secret),
    failNextRefund: (reason) => model.failNextRefund(reason),
    setNow: (unix_s) => clock.setNow(unix_s),
    expireIdempotencyKeys: () => http.expireIdempotencyKeys(),
    disputes,
    files,
    payouts,
    now: () => clock.now(),
    createPayment(p) {
      const params: Record<string, string | Record<string, string>> = { amount: String(p.amount), currency: p.currency, confirm: 'true', payment_method: 'pm_card_visa' };
      if (p.metadata !== undefined) params['metadata'] = p.metadata;
      if (p.description !== undefined) params['description'] = p.description;
      if (p.transfer_group !== undefined) params['transfer_group'] = p.transfer_group;
      return snapshot(model.createPaymentIntent(params, { request_id: null, idempotency_key: null, account: null }));
    },
  };
}

/** The fixture set's balance transactions (fees of the documented demo charge), shipped in fixtures/stripe. */
async function seedFixtureBalanceTransactions(model: FakeStripeModel): Promise<void> {
  const text = await readFile(FIXTURE_BALANCE_TRANSACTIONS, 'utf8');
  const all = JSON.parse(text) as Record<string, Stripe.BalanceTransaction>;
  for (const [id, txn] of Object.entries(all)) {
    if (!model.state.balanceTransactions.has(id)) model.state.balanceTransactions.set(id, txn);
  }
}
