/**
 * Webhook endpoints in the Stripe fake (POST/GET/DELETE /v1/webhook_endpoints): what
 * `mybnb stripe setup` creates and updates. As Stripe does: the signing secret is returned only
 * when the endpoint is created; `api_version` is fixed at creation (updating it is refused); a
 * listed event type must be one Stripe knows the shape of (`*` or `<object>.<event>`).
 */
import { randomBytes } from 'node:crypto';
import { invalidRequest, noSuchObject } from './errors.js';
import type { FormObject, FormValue } from './form.js';
import type { FakeClock, IdSequence } from './ids.js';
import { boolParam, metadataParam, onlyKnown, optString, reqString } from './params.js';

export type FakeWebhookEndpoint = {
  id: string;
  object: 'webhook_endpoint';
  api_version: string | null;
  application: null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: false;
  metadata: Record<string, string>;
  status: 'enabled' | 'disabled';
  url: string;
  /** Kept for the fake's tests; Stripe returns it only on create. */
  secret: string;
  /** Created with `connect: true` (events of connected accounts); kept for the fake's tests. */
  connect: boolean;
};

type Route = { method: 'GET' | 'POST' | 'DELETE'; pattern: RegExp; handler: (match: RegExpExecArray, params: FormObject) => unknown };

export class FakeWebhookEndpoints {
  readonly endpoints = new Map<string, FakeWebhookEndpoint>();

  constructor(private readonly ids: IdSequence, private readonly clock: FakeClock, private readonly defaultApiVersion: string) {}

  create(params: FormObject): Omit<FakeWebhookEndpoint, 'connect'> {
    onlyKnown(params, ['url', 'enabled_events', 'api_version', 'description', 'metadata', 'connect']);
    const url = urlParam(params);
    const endpoint: FakeWebhookEndpoint = {
      id: this.ids.next('we'), object: 'webhook_endpoint', api_version: optString(params, 'api_version') ?? this.defaultApiVersion, application: null,
      created: this.clock.tick(), description: optString(params, 'description'), enabled_events: eventsParam(params, true)!, livemode: false,
      metadata: metadataParam(params), status: 'enabled', url, secret: `whsec_${randomBytes(24).toString('hex')}`,
      connect: params.connect !== undefined && boolParam(params, 'connect'),
    };
    this.endpoints.set(endpoint.id, endpoint);
    const { connect: _connect, ...created } = endpoint;
    return created;
  }

  update(id: string, params: FormObject): Omit<FakeWebhookEndpoint, 'secret' | 'connect'> {
    onlyKnown(params, ['url', 'enabled_events', 'description', 'metadata', 'disabled', 'api_version']);
    const e = this.get(id);
    if (params.api_version !== undefined) throw invalidRequest('Received unknown parameter: api_version (a webhook endpoint\'s API version is fixed when it is created)', 'parameter_unknown', 'api_version');
    if (params.url !== undefined) e.url = urlParam(params);
    const events = eventsParam(params, false);
    if (events) e.enabled_events = events;
    if (params.description !== undefined) e.description = optString(params, 'description');
    if (params.metadata !== undefined) e.metadata = { ...e.metadata, ...metadataParam(params) };
    if (params.disabled !== undefined) e.status = boolParam(params, 'disabled') ? 'disabled' : 'enabled';
    return withoutSecret(e);
  }

  retrieve(id: string): Omit<FakeWebhookEndpoint, 'secret' | 'connect'> {
    return withoutSecret(this.get(id));
  }

  list(): { object: 'list'; data: Array<Omit<FakeWebhookEndpoint, 'secret' | 'connect'>>; has_more: false; url: string } {
    return { object: 'list', data: [...this.endpoints.values()].reverse().map(withoutSecret), has_more: false, url: '/v1/webhook_endpoints' };
  }

  del(id: string): { id: string; object: 'webhook_endpoint'; deleted: true } {
    this.get(id);
    this.endpoints.delete(id);
    return { id, object: 'webhook_endpoint', deleted: true };
  }

  routes(): Route[] {
    const ID = '([A-Za-z0-9_]+)';
    return [
      { method: 'POST', pattern: /^\/v1\/webhook_endpoints$/, handler: (_m, p) => this.create(p) },
      { method: 'GET', pattern: /^\/v1\/webhook_endpoints$/, handler: () => this.list() },
      { method: 'GET', pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`), handler: (m) => this.retrieve(m[1]!) },
      { method: 'POST', pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`), handler: (m, p) => this.update(m[1]!, p) },
      { method: 'DELETE', pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`), handler: (m) => this.del(m[1]!) },
    ];
  }

  private get(id: string): FakeWebhookEndpoint {
    const e = this.endpoints.get(id);
    if (!e) throw noSuchObject('webhook endpoint', id);
    return e;
  }
}

function withoutSecret(e: FakeWebhookEndpoint): Omit<FakeWebhookEndpoint, 'secret' | 'connect'> {
  const { secret: _secret, connect: _connect, ...rest } = e;
  return { ...rest, enabled_events: [...e.enabled_events], metadata: { ...e.metadata } };
}

function urlParam(params: FormObject): string {
  const url = reqString(params, 'url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest('Invalid URL: url', 'url_invalid', 'url');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalidRequest('Invalid URL: url must be https', 'url_invalid', 'url');
  return url;
}

function eventsParam(params: FormObject, required: boolean): string[] | null {
  const v: FormValue | undefined = params.enabled_events;
  if (v === undefined) {
    if (required) throw invalidRequest('Missing required param: enabled_events.', 'parameter_missing', 'enabled_events');
    return null;
  }
  const list = Array.isArray(v) ? v : typeof v === 'object' ? Object.keys(v).sort((a, b) => Number(a) - Number(b)).map((k) => v[k]!) : [v];
  const events = list.map((e) => {
    if (typeof e !== 'string' || !(e === '*' || /^[a-z_]+(\.[a-z_]+)+$/.test(e))) throw invalidRequest(`Invalid enabled_events: ${String(e)}`, 'parameter_invalid_string', 'enabled_events');
    return e;
  });
  if (events.length === 0) throw invalidRequest('enabled_events must not be empty', 'parameter_missing', 'enabled_events');
  return events;
}
