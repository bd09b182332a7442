/**
 * The HTTP face of the fake: Stripe's v1 wire format on a plain node:http server, with API-key
 * checks, injected faults, idempotency-key replay and a request log.
 */
import { FakeWebhookEndpoints } from './webhook-endpoints.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalJson } from '../kernel/index.js';
import { FakeStripeError } from './errors.js';
import { expand } from './expand.js';
import { Faults, type FaultRule } from './faults.js';
import { parseForm, type FormObject } from './form.js';
import { parseMultipart } from './files.js';
import type { FakeStripeModel, RequestContext } from './model.js';
import { expandParam } from './params.js';
import { listBalanceTransactions, listRefunds, listTransferReversals, listTransfers } from './lists.js';

export interface RequestLogEntry {
  request_id: string;
  method: string;
  path: string;
  idempotencyKey?: string;
  /** HTTP status answered; null when no answer was sent (timeout or crash fault). */
  status: number | null;
  /** True when the answer was a stored idempotent result. */
  replayed: boolean;
  fault?: FaultRule['kind'];
}

interface StoredResult {
  method: string;
  path: string;
  params_canonical: string;
  status: number;
  body: string;
  request_id: string;
}

export type Handler = (match: RegExpExecArray, params: FormObject, ctx: RequestContext) => unknown;
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handler: Handler;
}

const ID = '([A-Za-z0-9_]+)';

export class FakeHttpServer {
  readonly requests: RequestLogEntry[] = [];
  readonly faults = new Faults();
  private readonly stored = new Map<string, StoredResult>();
  private readonly server: http.Server;
  private readonly routes: Route[];
  readonly webhookEndpoints: FakeWebhookEndpoints;

  constructor(
    private readonly model: FakeStripeModel,
    private readonly apiVersion: string,
    extraRoutes: Route[] = [],
  ) {
    const m = model;
    this.webhookEndpoints = new FakeWebhookEndpoints(model.ids, model.clock, apiVersion);
    this.routes = [
      { method: 'POST', pattern: /^\/v1\/payment_intents$/, handler: (_, p, c) => m.createPaymentIntent(p, c) },
      { method: 'GET', pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: (x) => m.paymentIntent(x[1] as string) },
      { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`), handler: (x, p, c) => m.confirmPaymentIntent(x[1] as string, p, c) },
      { method: 'GET', pattern: new RegExp(`^/v1/charges/${ID}$`), handler: (x) => m.charge(x[1] as string) },
      { method: 'POST', pattern: /^\/v1\/refunds$/, handler: (_, p, c) => m.createRefund(p, c) },
      { method: 'GET', pattern: new RegExp(`^/v1/refunds/${ID}$`), handler: (x) => m.refund(x[1] as string) },
      { method: 'POST', pattern: /^\/v1\/transfers$/, handler: (_, p, c) => m.createTransfer(p, c) },
      { method: 'GET', pattern: new RegExp(`^/v1/transfers/${ID}$`), handler: (x) => m.transfer(x[1] as string) },
      { method: 'POST', pattern: new RegExp(`^/v1/transfers/${ID}/reversals$`), handler: (x, p, c) => m.createTransferReversal(x[1] as string, p, c) },
      { method: 'GET', pattern: new RegExp(`^/v1/transfers/${ID}/reversals/${ID}$`), handler: (x) => m.transferReversal(x[1] as string, x[2] as string) },
      { method: 'GET', pattern: new RegExp(`^/v1/balance_transactions/${ID}$`), handler: (x) => m.balanceTransaction(x[1] as string) },
      { method: 'GET', pattern: /^\/v1\/refunds$/, handler: (_, p) => listRefunds(m, p) },
      { method: 'GET', pattern: /^\/v1\/balance_transactions$/, handler: (_, p) => listBalanceTransactions(m, p) },
      { method: 'GET', pattern: /^\/v1\/transfers$/, handler: (_, p) => listTransfers(m, p) },
      { method: 'GET', pattern: new RegExp(`^/v1/transfers/${ID}/reversals$`), handler: (x, p) => listTransferReversals(m, x[1] as string, p) },
      ...extraRoutes,
      ...this.webhookEndpoints.routes(),
    ];
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the fake must still answer like Stripe's 500, not hang the caller.
        if (!res.headersSent && !res.destroyed) this.writeJson(res, 500, { error: { type: 'api_error', message: `stripe fake: ${String(err)}` } }, {});
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Endpoints served from their own files (disputes, issue #12), added after the core ones. */
  addRoute(route: Route): void {
    this.routes.push(route);
  }

  /** Stripe forgets idempotency keys after 24 h: from here on, a reused key makes a new object. */
  expireIdempotencyKeys(): void {
    this.stored.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const key = header(req, 'idempotency-key');
    const ctx: RequestContext = { request_id: this.model.ids.next('req'), idempotency_key: key, account: header(req, 'stripe-account') };
    const entry: RequestLogEntry = { request_id: ctx.request_id as string, method, path, status: null, replayed: false };
    if (key !== null) entry.idempotencyKey = key;
    this.requests.push(entry);
    const baseHeaders: Record<string, string> = { 'Request-Id': entry.request_id, 'Stripe-Version': header(req, 'stripe-version') ?? this.apiVersion };
    if (key !== null) baseHeaders['Idempotency-Key'] = key;
    const send = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      entry.status = status;
      this.writeJson(res, status, body, { ...baseHeaders, ...extra });
    };

    const auth = header(req, 'authorization');
    if (auth === null || !/^Bearer (sk|rk)_\S+$/.test(auth)) {
      send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided (the Stripe fake accepts any sk_… or rk_… key).' } });
      return;
    }

    const fault = this.faults.take(method, path);
    if (fault !== null) entry.fault = fault.kind;
    if (fault?.kind === 'status') {
      send(fault.status, faultBody(fault.status), fault.status === 429 ? { 'Retry-After': '1' } : {});
      return;
    }
    if (fault?.kind === 'refuse') {
      send(400, { error: { type: 'invalid_request_error', code: fault.code, message: fault.message } });
      return;
    }
    if (fault?.kind === 'timeout') {
      // Never answered and never performed; the caller's own timeout ends it.
      if (fault.delay_ms !== null) setTimeout(() => req.socket.destroy(), fault.delay_ms).unref();
      return;
    }

    let params: FormObject;
    try {
      // Stripe's v1 API takes form encoding only (the SDK never sends JSON to /v1).
      const type = header(req, 'content-type') ?? '';
      // …except file uploads (POST /v1/files), which are multipart like Stripe's files host takes them.
      params = method !== 'GET' && type.startsWith('multipart/form-data') ? parseMultipart(raw, type) : parseForm(method === 'GET' ? url.search.slice(1) : raw);
    } catch {
      send(400, { error: { type: 'invalid_request_error', message: 'Invalid request body.' } });
      return;
    }

    const route = this.routes.map((r) => ({ r, m: r.method === method ? r.pattern.exec(path) : null })).find((x) => x.m !== null);
    let result: { status: number; body: string; replayed_from?: string };
    const scope = `${ctx.account ?? ''} ${key ?? ''}`;
    const previous = method === 'POST' && key !== null ? this.stored.get(scope) : undefined;
    const params_canonical = canonicalJson(params);
    if (previous !== undefined) {
      if (previous.method !== method || previous.path !== path || previous.params_canonical !== params_canonical) {
        result = json(400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        });
      } else {
        result = { status: previous.status, body: previous.body, replayed_from: previous.request_id };
      }
    } else if (route === undefined) {
      result = json(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `Unrecognized request URL (${method}: ${path}).` } });
    } else {
      result = this.execute(route.r.handler, route.m as RegExpExecArray, params, ctx);
      // Stripe saves a result once the endpoint started executing: successes and card declines, not
      // refused parameters. A saved result is replayed for the same key, whatever happens later.
      if (method === 'POST' && key !== null && (result.status < 400 || result.status === 402)) {
        this.stored.set(scope, { method, path, params_canonical, status: result.status, body: result.body, request_id: entry.request_id });
      }
    }

    if (fault?.kind === 'crashAfterCommit') {
      // The change happened (and its webhooks go out), but the caller never hears back.
      req.socket.destroy();
      return;
    }
    entry.status = result.status;
    if (result.replayed_from !== undefined) {
      entry.replayed = true;
      this.writeRaw(res, result.status, result.body, { ...baseHeaders, 'Idempotent-Replayed': 'true', 'Original-Request': result.replayed_from });
    } else {
      this.writeRaw(res, result.status, result.body, baseHeaders);
    }
  }

  private execute(handler: Handler, match: RegExpExecArray, params: FormObject, ctx: RequestContext): { status: number; body: string } {
    try {
      const object = handler(match, params, ctx);
      return json(200, expand(object, expandParam(params), (id) => this.model.lookup(id)));
    } catch (err) {
      if (err instanceof FakeStripeError) return json(err.status, err.body());
      throw err;
    }
  }

  private writeJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    this.writeRaw(res, status, JSON.stringify(body, null, 2), headers);
  }

  private writeRaw(res: http.ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
}

function json(status: number, body: unknown): { status: number; body: string } {
  return { status, body: JSON.stringify(body, null, 2) };
}

function faultBody(status: number): unknown {
  if (status === 429) {
    return { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded. (Stripe fake: injected 429)' } };
  }
  return { error: { type: 'api_error', message: `An unknown error occurred (Stripe fake: injected ${status}).` } };
}

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
