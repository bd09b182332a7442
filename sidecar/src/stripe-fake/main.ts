/**
 * Runs the Stripe fake on its own (used by e2e): `PORT=12111 node --import tsx sidecar/src/stripe-fake/main.ts`.
 * Optional: STRIPE_FAKE_WEBHOOK_URL + STRIPE_FAKE_WEBHOOK_SECRET to deliver webhooks.
 * Prints one line, `stripe-fake listening on http://127.0.0.1:<port>`, then serves until SIGINT/SIGTERM.
 */
import { startStripeFake } from './index.js';

const port = Number(process.env['PORT'] ?? 12111);
if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
  console.error(`stripe-fake: PORT must be a port number, got ${process.env['PORT']}`);
  process.exit(2);
}
const webhookUrl = process.env['STRIPE_FAKE_WEBHOOK_URL'];
const webhookSecret = process.env['STRIPE_FAKE_WEBHOOK_SECRET'];

const fake = await startStripeFake({
  port,
  ...(webhookUrl !== undefined && webhookSecret !== undefined ? { webhookUrl, webhookSecret } : {}),
});
console.log(`stripe-fake listening on ${fake.url}`);

const stop = (): void => {
  void fake.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
