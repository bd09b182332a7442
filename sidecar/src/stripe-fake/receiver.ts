/**
 * A minimal webhook endpoint for tests: verifies each delivery with the SDK's
 * `webhooks.constructEvent` exactly as a production receiver would, and records what arrived.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface ReceivedDelivery {
  raw: string;
  signature: string;
  /** The verified event, or null when verification failed (then `error` says why). */
  event: Stripe.Event | null;
  error: string | null;
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  deliveries: ReceivedDelivery[];
  /** Verified events in arrival order (each delivery that answered 2xx). */
  events(): Stripe.Event[];
  /** The next `n` deliveries are answered 500 (to exercise the fake's retries). */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  let failures = 0;
  const verifier = new Stripe('sk_test_receiver');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['stripe-signature'] ?? '');
      const d: ReceivedDelivery = { raw, signature, event: null, error: null, answered: 200 };
      try {
        d.event = verifier.webhooks.constructEvent(raw, signature, secret);
      } catch (err) {
        d.error = err instanceof Error ? err.message : String(err);
        d.answered = 400;
      }
      if (d.answered === 200 && failures > 0) {
        failures -= 1;
        d.answered = 500;
      }
      deliveries.push(d);
      res.writeHead(d.answered, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    deliveries,
    events: () => deliveries.filter((d) => d.answered === 200 && d.event !== null).map((d) => d.event as Stripe.Event),
    failNext: (n) => {
      failures += n;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
