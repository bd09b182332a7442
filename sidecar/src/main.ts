import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, startSidecar, StartupError, type Sidecar } from './server.js';
import { DEMO_KEYS, DEMO_STRIPE_KEY, DEMO_WEBHOOK_SECRET } from './demo/keys.js';
import { feedDemoStory } from './demo/story.js';
import { settle as settleQuiet } from './demo/settle.js';
import { SignedClient } from './client/signed-client.js';
import { startStripeFake, type StripeFake } from './stripe-fake/index.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  let fake: StripeFake | null = null;
  if (config.demo) {
    // Demo mode: no keys configured. Invent the keys and a local Stripe, never real credentials.
    fake = await startStripeFake({ idTag: 'demo' });
    config = {
      ...config,
      sidecarKeys: DEMO_KEYS,
      stripeWebhookSecrets: config.stripeWebhookSecrets.length ? config.stripeWebhookSecrets : [DEMO_WEBHOOK_SECRET],
      stripeSecretKey: config.stripeSecretKey ?? DEMO_STRIPE_KEY,
      stripeApiUrl: config.stripeApiUrl ?? new URL(fake.url),
    };
  }
  let sidecar: Sidecar;
  try {
    sidecar = await startSidecar(config, { logger });
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(3);
    }
    throw e;
  }
  if (fake) {
    fake.setWebhookTarget(`${sidecar.url}/webhooks/stripe`, config.stripeWebhookSecrets[0]!);
    await runDemo(sidecar, fake);
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await sidecar.stop();
    await fake?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function runDemo(sidecar: Sidecar, fake: StripeFake): Promise<void> {
  const engine = new SignedClient(sidecar.url, DEMO_KEYS[0]!);
  const fed = await sidecar.db('inbox_events').where({ source: 'booking' }).first('id');
  const settle = () => settleQuiet(sidecar, fake, 100);
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out('');
  out('MyBnB Payments sidecar: DEMO MODE (no SIDECAR_KEYS set; a local Stripe fake stands in for Stripe)');
  if (!fed) {
    const bookings = await feedDemoStory(engine, fake, Date.now(), settle);
    out('Demo story fed through the real endpoints:');
    for (const b of bookings) out(`  ${b.booking_id.padEnd(20)} ${b.policy.padEnd(10)} ${b.story}`);
  } else {
    out('Demo data already in the database (delete ./data/ to start over).');
  }
  out('');
  out(`Listening on ${sidecar.url}   (demo keys: ${DEMO_KEYS.map((k) => `${k.keyId}:${k.secret}:${k.role}`).join(', ')})`);
  // The CLI finds the service by PORT and the database by DATABASE_URL: repeat any that differ from the defaults.
  const port = new URL(sidecar.url).port;
  const env = [port !== '8787' ? `PORT=${port}` : '', process.env.DATABASE_URL ? `DATABASE_URL='${process.env.DATABASE_URL}'` : ''].filter(Boolean).join(' ');
  const cli = `${env ? `${env} ` : ''}npm run -s cli --`;
  out('Try these in another terminal (each prints a signed curl line; `| sh` runs it):');
  out(`  ${cli} sign GET '/preview/outcome?action=cancel&booking_id=bk_demo_upcoming&by=guest' | sh`);
  out(`  ${cli} sign GET '/bookings/bk_demo_cancel/receipt' | sh`);
  out(`  ${cli} sign GET '/hosts/host_demo_1/statement' | sh`);
  out(`  ${cli} verify`);
  out('');
}

main().catch((err) => {
  process.stderr.write(`fatal: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
