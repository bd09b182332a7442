import { HANDLERS } from './index.js';

/**
 * The Stripe webhook event types the sidecar acts on, read from the handler table itself (never a
 * second list): what `mybnb stripe setup` subscribes the endpoint to, and what the API documents.
 */
export function handledStripeEventTypes(): string[] {
  return Object.keys(HANDLERS).filter((k) => k.startsWith('stripe:')).map((k) => k.slice('stripe:'.length)).sort();
}
