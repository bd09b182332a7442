import { HANDLERS } from './index.js';

/**
 * The Stripe webhook event types the sidecar acts on, read from the handler table itself (never a
 * second list): what `mybnb stripe setup` subscribes the endpoints to, and what the API documents.
 */
export function handledStripeEventTypes(): string[] {
  return Object.keys(HANDLERS).filter((k) => k.startsWith('stripe:')).map((k) => k.slice('stripe:'.length)).sort();
}

/**
 * Handled types that happen on the hosts' connected accounts, not the platform's own: Stripe sends
 * them only to a Connect endpoint (created with `connect: true`), never to an account endpoint.
 */
const CONNECTED_ACCOUNT_TYPES = new Set(['account.updated']);

export type EndpointScope = 'account' | 'connect';

/** The handled types an endpoint of that scope subscribes to (together: every handled type, once). */
export function endpointEventTypes(scope: EndpointScope): string[] {
  return handledStripeEventTypes().filter((t) => CONNECTED_ACCOUNT_TYPES.has(t) === (scope === 'connect'));
}
