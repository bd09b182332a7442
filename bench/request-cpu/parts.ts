/**
 * CPU per call of the pieces of the Stripe webhook acceptance path, in this process (no sockets, no
 * scheduling): verify (SDK constructEvent: HMAC + JSON.parse), the stored payload (parse again,
 * strip personal data, stringify, sha256), the inbox writer's payload hash.
 *
 *   node --import tsx bench/request-cpu/parts.ts [--iterations N]
 */
import { sha256Hex } from '../../sidecar/src/kernel/index.js';
import { storedStripePayload } from '../../sidecar/src/sari/personal-data.js';
import { verifyStripeWebhook } from '../../sidecar/src/sari/stripe-webhook.js';
import { WEBHOOK_SECRET } from '../../sidecar/src/testing/harness.js';
import { parseArgs } from '../lib/args.js';
import { benchBooking, paymentBody, stripeSignature } from '../ingest/workload.js';

const args = parseArgs(process.argv.slice(2), { numbers: ['iterations'] });
const n = (args.iterations as number | undefined) ?? 20_000;
const body = paymentBody(benchBooking('parts', 1));
const raw = Buffer.from(body);
const now_s = Math.floor(Date.now() / 1000);
const header = stripeSignature(body, now_s);
const stored = storedStripePayload(raw);

function cpu(name: string, f: () => unknown): void {
  for (let i = 0; i < 2000; i++) f();
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const d = process.cpuUsage(t0);
  console.log(`${name.padEnd(40)} ${(((d.user + d.system) / n)).toFixed(1).padStart(7)} µs`);
}

console.log(`payload ${raw.length} bytes, stored ${stored.length} bytes, ${n} iterations`);
cpu('verifyStripeWebhook', () => verifyStripeWebhook(raw, header, [WEBHOOK_SECRET], now_s));
cpu('storedStripePayload', () => storedStripePayload(raw));
cpu('sha256Hex(stored payload)', () => sha256Hex(stored));
cpu('JSON.parse(body)', () => JSON.parse(body));
cpu('raw.toString()', () => raw.toString('utf8'));
