import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';
import { OPS_DEFAULTS } from '../ops-config.js';
import { startSidecar, type Sidecar } from '../server.js';
import { startStripeFake, type StripeFake } from '../stripe-fake/index.js';
import { freshDatabase, type Dialect, type TestDatabase } from './databases.js';
import { SignedClient } from '../client/signed-client.js';
import { settle as settleQuiet } from '../demo/settle.js';

export const ENGINE_KEY = { keyId: 'be-test', secret: 'be-test-secret-0123456789' };
export const READER_KEY = { keyId: 'rd-test', secret: 'rd-test-secret-0123456789' };
export const AUDITOR_KEY = { keyId: 'au-test', secret: 'au-test-secret-0123456789' };
export const OPERATOR_KEY = { keyId: 'op-test', secret: 'op-test-secret-0123456789' };
export const WEBHOOK_SECRET = 'whsec_test_primary_0123456789';
export const OLD_WEBHOOK_SECRET = 'whsec_test_rotated_out_0123456789';

/** For stories whose event time runs years ahead of the wall clock (never a production value). */
export const STORY_SKEW_S = 5 * 366 * 86_400;

export type Harness = {
  t: TestDatabase;
  sidecar: Sidecar;
  engine: SignedClient;
  reader: SignedClient;
  auditor: SignedClient;
  operator: SignedClient;
  fake: StripeFake | null;
  /** Waits until dispatch has nothing left and the outbox and webhooks are quiet. */
  settle: () => Promise<void>;
  stop: () => Promise<void>;
};

export function testConfig(t: TestDatabase, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    listenHost: '127.0.0.1',
    database: t.target,
    logLevel: 'silent',
    stripeWebhookSecrets: [WEBHOOK_SECRET, OLD_WEBHOOK_SECRET],
    sidecarKeys: [{ ...ENGINE_KEY, role: 'booking-engine' }, { ...READER_KEY, role: 'reader' }, { ...AUDITOR_KEY, role: 'auditor' }, { ...OPERATOR_KEY, role: 'operator' }],
    stripeSecretKey: null,
    stripeApiUrl: null,
    policyDir: new URL('../../../policies', import.meta.url).pathname,
    inboxMaxBacklog: 50_000,
    rateLimitPerMinute: 1_000_000,
    eventMaxSkew_s: 300,
    clockTick_s: 0, // tests send their own ticks; a wall-clock tick would make their 2026 bookings due
    demo: false,
    ops: { ...OPS_DEFAULTS },
    ...overrides,
  };
}

/** A sidecar on a fresh database of `dialect`, optionally with the Stripe fake wired both ways. */
export async function startHarness(dialect: Dialect, opts: { stripe?: boolean; config?: Partial<Config>; t?: TestDatabase; stripeTimeout_ms?: number; logger?: Logger; now_ms?: () => number; outbox?: { maxAttempts?: number; baseDelay_ms?: number; maxDelay_ms?: number } } = {}): Promise<Harness> {
  const t = opts.t ?? (await freshDatabase(dialect));
  const fake = opts.stripe ? await startStripeFake({ idTag: `t${Math.random().toString(36).slice(2, 8)}` }) : null;
  const config = testConfig(t, {
    ...(fake ? { stripeSecretKey: 'sk_test_harness', stripeApiUrl: new URL(fake.url) } : {}),
    ...opts.config,
  });
  const sidecar = await startSidecar(config, { logger: opts.logger ?? pino({ level: 'silent' }), outboxInterval_ms: 20, stripeTimeout_ms: opts.stripeTimeout_ms ?? 2000, ...(opts.now_ms ? { now_ms: opts.now_ms } : {}), ...(opts.outbox ? { outbox: opts.outbox } : {}) });
  // Clients sign with the sidecar's clock, so a pinned clock still verifies their signatures.
  const client_s = opts.now_ms ? () => Math.floor(opts.now_ms!() / 1000) : undefined;
  fake?.setWebhookTarget(`${sidecar.url}/webhooks/stripe`, WEBHOOK_SECRET);
  const settle = () => settleQuiet(sidecar, fake);
  return {
    t, sidecar, fake, settle,
    engine: new SignedClient(sidecar.url, ENGINE_KEY, client_s),
    reader: new SignedClient(sidecar.url, READER_KEY, client_s),
    auditor: new SignedClient(sidecar.url, AUDITOR_KEY, client_s),
    operator: new SignedClient(sidecar.url, OPERATOR_KEY, client_s),
    stop: async () => {
      await sidecar.stop();
      await fake?.close();
      if (!opts.t) await t.drop();
    },
  };
}
