import Stripe from 'stripe';
import { type EndpointScope, endpointEventTypes, handledStripeEventTypes } from '../pipeline/handlers/stripe-event-types.js';

/** The Stripe API version the sidecar speaks: the SDK's pinned version (no per-call override anywhere). */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;

export const ENDPOINT_DESCRIPTION = 'MyBnB Payments sidecar (managed by `mybnb stripe setup`)';

export type SetupResult = {
  /** `account`: the platform's own objects; `connect`: events on the hosts' connected accounts. */
  scope: EndpointScope;
  action: 'created' | 'updated' | 'unchanged';
  endpoint_id: string;
  url: string;
  mode: 'test' | 'live';
  api_version: string;
  enabled_events: string[];
  /** Only when an endpoint was created: Stripe shows a secret once. */
  secret: string | null;
  /** Other endpoints at the same URL (a rotation in progress, or an older API version). */
  others: Array<{ id: string; api_version: string | null }>;
};

/**
 * Creates or updates the webhook endpoint of one scope at `url` so Stripe sends exactly the event
 * types the sidecar handles for that scope (read from the handler table) at the pinned API version.
 * Two endpoints share the URL: an account endpoint (payments, refunds, transfers, disputes,
 * subscriptions, platform payouts) and a Connect endpoint (`connect: true`: `account.updated` of the
 * hosts' accounts — Stripe sends it to no other endpoint). Each is told apart by its
 * `metadata.mybnb_scope` (an endpoint made before the Connect one existed has none: account). An
 * endpoint's API version cannot change after creation, so one at another version is left alone and
 * a new one is created beside it (as is one on `rotate`): configure its secret, then delete the old.
 */
export async function stripeSetup(stripe: Stripe, opts: { url: string; secretKey: string; rotate?: boolean; scope?: EndpointScope }): Promise<SetupResult> {
  const scope = opts.scope ?? 'account';
  const url = new URL(opts.url);
  if (url.protocol !== 'https:') throw new Error('--url must be https:// (Stripe delivers webhooks over TLS); for local development use `stripe listen --forward-to`');
  if (!url.pathname.endsWith('/webhooks/stripe')) throw new Error('--url must end with /webhooks/stripe (the sidecar\'s webhook route)');
  const mode = /^(sk|rk)_live_/.test(opts.secretKey) ? 'live' : 'test';
  const enabled_events = endpointEventTypes(scope);
  const atUrl: Stripe.WebhookEndpoint[] = [];
  for await (const e of stripe.webhookEndpoints.list({ limit: 100 })) if (e.url === opts.url && scopeOf(e) === scope) atUrl.push(e);
  const current = opts.rotate ? undefined : atUrl.find((e) => e.api_version === STRIPE_API_VERSION);
  const base = { scope, url: opts.url, mode, api_version: STRIPE_API_VERSION, enabled_events } as const;
  if (!current) {
    const created = await stripe.webhookEndpoints.create({
      url: opts.url, enabled_events: enabled_events as Stripe.WebhookEndpointCreateParams.EnabledEvent[], api_version: STRIPE_API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
      description: ENDPOINT_DESCRIPTION, metadata: { managed_by: 'mybnb', mybnb_scope: scope }, ...(scope === 'connect' ? { connect: true } : {}),
    });
    return { ...base, action: 'created', endpoint_id: created.id, secret: created.secret ?? null, others: atUrl.map((e) => ({ id: e.id, api_version: e.api_version ?? null })) };
  }
  const same = current.status === 'enabled' && [...current.enabled_events].sort().join() === enabled_events.join();
  if (!same) {
    await stripe.webhookEndpoints.update(current.id, { enabled_events: enabled_events as Stripe.WebhookEndpointUpdateParams.EnabledEvent[], disabled: false, description: ENDPOINT_DESCRIPTION });
  }
  return { ...base, action: same ? 'unchanged' : 'updated', endpoint_id: current.id, secret: null, others: atUrl.filter((e) => e.id !== current.id).map((e) => ({ id: e.id, api_version: e.api_version ?? null })) };
}

function scopeOf(e: Stripe.WebhookEndpoint): EndpointScope {
  return e.metadata?.mybnb_scope === 'connect' ? 'connect' : 'account';
}

export function describeSetup(r: SetupResult): string[] {
  const lines = [
    `Stripe ${r.mode} mode: ${r.scope === 'connect' ? 'Connect (hosts\' accounts)' : 'account'} webhook endpoint ${r.endpoint_id} ${r.action} at ${r.url}`,
    `  API version ${r.api_version}; events (${r.enabled_events.length}): ${r.enabled_events.join(', ')}`,
  ];
  if (r.secret) {
    lines.push(`  Signing secret (shown once by Stripe): ${r.secret}`);
  } else {
    lines.push('  The signing secret is unchanged (Stripe shows it only at creation): keep the configured STRIPE_WEBHOOK_SECRETS.');
  }
  for (const o of r.others) lines.push(`  Another endpoint at this URL: ${o.id} (API version ${o.api_version ?? 'account default'}). Once STRIPE_WEBHOOK_SECRETS has the new secret, delete it: mybnb stripe delete-endpoint ${o.id}`);
  return lines;
}

/** The Stripe client of the CLI: STRIPE_SECRET_KEY (required) and STRIPE_API_URL (optional), as the service reads them. */
export function stripeFromEnv(env: NodeJS.ProcessEnv): { stripe: Stripe; secretKey: string } {
  const secretKey = env.STRIPE_SECRET_KEY ?? '';
  if (!/^(sk|rk)_(test|live)_\w+$/.test(secretKey)) throw new Error('STRIPE_SECRET_KEY must be set to sk_test_… or sk_live_… (the account whose webhook endpoint to set up)');
  const api = env.STRIPE_API_URL ? new URL(env.STRIPE_API_URL) : null;
  const stripe = new Stripe(secretKey, {
    telemetry: false,
    ...(api ? { host: api.hostname, port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)), protocol: api.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
  return { stripe, secretKey };
}

/** `mybnb stripe setup --url … [--rotate]` and `mybnb stripe delete-endpoint <id>`. */
export async function stripeCommand(sub: string | undefined, args: { url?: string; rotate?: boolean; id?: string }, out: (s?: string) => void): Promise<number> {
  if (sub === 'events') {
    out(handledStripeEventTypes().join(','));
    return 0;
  }
  const { stripe, secretKey } = stripeFromEnv(process.env);
  if (sub === 'setup') {
    if (!args.url) throw new Error('stripe setup needs --url https://<host>/webhooks/stripe');
    // Both endpoints, every time: without the Connect one a restricted host account is never seen.
    const secrets: string[] = [];
    for (const scope of ['account', 'connect'] as const) {
      const r = await stripeSetup(stripe, { url: args.url, secretKey, rotate: Boolean(args.rotate), scope });
      for (const l of describeSetup(r)) out(l);
      if (r.secret) secrets.push(r.secret);
    }
    if (secrets.length) {
      out('');
      out('Add the new secret(s) to STRIPE_WEBHOOK_SECRETS (comma-separated; keep any secret still in use — the other endpoint\'s, or the old one until a rotation is done):');
      out('');
      out(`  STRIPE_WEBHOOK_SECRETS=${secrets.join(',')}`);
      out('');
    }
    return 0;
  }
  if (sub === 'delete-endpoint' && args.id) {
    await stripe.webhookEndpoints.del(args.id);
    out(`deleted webhook endpoint ${args.id}`);
    return 0;
  }
  throw new Error('stripe setup --url https://…/webhooks/stripe [--rotate] | stripe delete-endpoint <we_…> | stripe events');
}
