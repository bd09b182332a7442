import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';
import { startSidecar, type Sidecar } from '../server.js';
import { startStripeFake, type StripeFake } from '../stripe-fake/index.js';
import { freshDatabase, type Dialect, type TestDatabase } from './databases.js';
import { SignedClient } from '../client/signed-client.js';
import { settle as settleQuiet } from '../demo/settle.js';

export const ENGINE_KEY = { keyId: 'be-test', secret: 'be-test-secret-0123456789' };
export const READER_KEY = { keyId: 'rd-test', secret: 'rd-test-secret-0123456789' };
export const WEBHOOK_SECRET = 'whsec_test_primary_0123456789';
export const OLD_WEBHOOK_SECRET = 'whsec_test_rotated_out_0123456789';

export type Harness = {
  t: TestDatabase;
  sidecar: Sidecar;
  engine: SignedClient;
  reader: SignedClient;
  fake: StripeFake | null;
  /** Waits until dispatch has nothing left and the outbox and webhooks are quiet. */
  settle: () => Promise<void>;
  stop: () => Promise<void>;
};

export function testConfig(t: TestDatabase, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    database: t.target,
    logLevel: 'silent',
    stripeWebhookSecrets: [WEBHOOK_SECRET, OLD_WEBHOOK_SECRET],
    sidecarKeys: [{ ...ENGINE_KEY, role: 'booking-engine' }, { ...READER_KEY, role: 'reader' }],
    stripeSecretKey: null,
    stripeApiUrl: null,
    policyDir: new URL('../../../policies', import.meta.url).pathname,
    inboxMaxBacklog: 50_000,
    rateLimitPerMinute: 1_000_000,
    demo: false,
    ...overrides,
  };
}

/** A sidecar on a fresh database of `dialect`, optionally with the Stripe fake wired both ways. */
export async function startHarness(dialect: Dialect, opts: { stripe?: boolean; config?: Partial<Config>; t?: TestDatabase; stripeTimeout_ms?: number; logger?: Logger; outbox?: { maxAttempts?: number; baseDelay_ms?: number; maxDelay_ms?: number } } = {}): Promise<Harness> {
  const t = opts.t ?? (await freshDatabase(dialect));
  const fake = opts.stripe ? await startStripeFake({ idTag: `t${Math.random().toString(36).slice(2, 8)}` }) : null;
  const config = testConfig(t, {
    ...(fake ? { stripeSecretKey: 'sk_test_harness', stripeApiUrl: new URL(fake.url) } : {}),
    ...opts.config,
  });
  const sidecar = await startSidecar(config, { logger: opts.logger ?? pino({ level: 'silent' }), outboxInterval_ms: 20, stripeTimeout_ms: opts.stripeTimeout_ms ?? 2000, ...(opts.outbox ? { outbox: opts.outbox } : {}) });
  fake?.setWebhookTarget(`${sidecar.url}/webhooks/stripe`, WEBHOOK_SECRET);
  const settle = () => settleQuiet(sidecar, fake);
  return {
    t, sidecar, fake, settle,
    engine: new SignedClient(sidecar.url, ENGINE_KEY),
    reader: new SignedClient(sidecar.url, READER_KEY),
    stop: async () => {
      await sidecar.stop();
      await fake?.close();
      if (!opts.t) await t.drop();
    },
  };
}
