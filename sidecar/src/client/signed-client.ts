import Stripe from 'stripe';
import { signatureHeaderValue } from '../sari/request-signature.js';

export type Key = { keyId: string; secret: string };
export type Reply = { status: number; headers: Headers; body: any; text: string }; // eslint-disable-line @typescript-eslint/no-explicit-any

const stripeHelper = new Stripe('sk_test_helper', { telemetry: false });

/** Talks to a sidecar the way the booking engine and WordPress do: every request signed. */
export class SignedClient {
  constructor(readonly baseUrl: string, readonly key: Key, readonly now_s: () => number = () => Math.floor(Date.now() / 1000)) {}

  async get(pathWithQuery: string, headers: Record<string, string> = {}): Promise<Reply> {
    const sig = signatureHeaderValue({ ...this.key, t: this.now_s(), method: 'GET', pathWithQuery });
    return this.send('GET', pathWithQuery, undefined, { 'MyBnB-Signature': sig, ...headers });
  }

  async post(pathWithQuery: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const sig = signatureHeaderValue({ ...this.key, t: this.now_s(), method: 'POST', pathWithQuery, body: text });
    return this.send('POST', pathWithQuery, text, { 'content-type': 'application/json', 'MyBnB-Signature': sig, ...headers });
  }

  /** Posts a booking-engine event. */
  event(e: { id: string; type: string; occurred_at: string; data: unknown }): Promise<Reply> {
    return this.post('/events/booking', e);
  }

  async send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Reply> {
    return replyOf(await fetch(this.baseUrl + path, { method, headers, body }));
  }
}

/** Sends a Stripe event the way Stripe does, signed with the SDK's own test-header helper. */
export async function postStripeWebhook(baseUrl: string, event: unknown, secret: string, opts: { timestamp?: number; header?: string } = {}): Promise<Reply> {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const header = opts.header ?? stripeHelper.webhooks.generateTestHeaderString({ payload, secret, timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000) });
  return replyOf(await fetch(`${baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': header }, body: payload }));
}

/** A reply with its body parsed when it is JSON (problem+json included), kept as text otherwise. */
export async function replyOf(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body, text };
}
