import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DEMO_DATABASE_FILE } from './start-mode.js';
import type { Sidecar } from './server.js';
import type { StripeFake } from './stripe-fake/index.js';
import { DEMO_KEYS, DEMO_STRIPE_KEY, DEMO_WEBHOOK_SECRET } from './demo/keys.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

async function main(): Promise<void> {
  // `.env` in the working directory fills what the environment does not set (never overrides it).
  loadDotenv({ quiet: true });
  let config: Config;
  let demoFlag = false;
  try {
    demoFlag = parseArgs({ args: process.argv.slice(2), options: { demo: { type: 'boolean' } }, strict: true }).values.demo === true;
    config = loadConfig(process.env, { demo: demoFlag });
  } catch (e) {
    if (e instanceof ConfigError) {
      // Every problem, each naming its variable; nothing has been opened or written yet.
      for (const p of e.problems) process.stderr.write(`configuration error: ${p.variable}: ${p.message}\n`);
      process.stderr.write('refusing to start (`npm run -s cli -- config check` shows the effective configuration)\n');
      process.exit(2);
    }
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`usage: npm start [-- --demo]\n${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // Only a configuration that passed loads the rest (database drivers, Stripe, HTTP): a refusal
  // stays quick and cannot touch anything.
  const { createLogger, startSidecar, StartupError } = await import('./server.js');
  const logger = createLogger(config.logLevel);
  let fake: StripeFake | null = null;
  if (config.demo) {
    // Demo mode (start-mode.ts refused every real key, database and Stripe setting): invented keys,
    // a local Stripe fake, its own SQLite file, loopback only.
    process.stdout.write(`MyBnB Payments sidecar: DEMO MODE (${demoFlag ? '--demo given' : 'nothing configured'}): public demo keys, a local Stripe fake, ${DEMO_DATABASE_FILE}, listening on ${config.listenHost} only. Set SIDECAR_KEYS (see .env.example) for a real start.\n`);
    const { startStripeFake } = await import('./stripe-fake/index.js');
    fake = await startStripeFake({ idTag: 'demo' });
    config = {
      ...config,
      sidecarKeys: DEMO_KEYS,
      stripeWebhookSecrets: [DEMO_WEBHOOK_SECRET],
      stripeSecretKey: DEMO_STRIPE_KEY,
      stripeApiUrl: new URL(fake.url),
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
  const [{ SignedClient }, { feedDemoStory }, { settle: settleQuiet }] = await Promise.all([import('./client/signed-client.js'), import('./demo/story.js'), import('./demo/settle.js')]);
  const engine = new SignedClient(sidecar.url, DEMO_KEYS[0]!);
  const fed = await sidecar.db('inbox_events').where({ source: 'booking' }).first('id');
  const settle = () => settleQuiet(sidecar, fake, 100);
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out('');
  out(`MyBnB Payments sidecar: DEMO MODE (public demo keys; a local Stripe fake stands in for Stripe; ${DEMO_DATABASE_FILE})`);
  if (!fed) {
    const bookings = await feedDemoStory(engine, fake, Date.now(), settle);
    out('Demo story fed through the real endpoints:');
    for (const b of bookings) out(`  ${b.booking_id.padEnd(20)} ${b.policy.padEnd(10)} ${b.story}`);
  } else {
    out('Demo data already in the database (delete ./data/demo/ to start over).');
  }
  out('');
  out(`Listening on ${sidecar.url}   (demo keys: ${DEMO_KEYS.map((k) => `${k.keyId}:${k.secret}:${k.role}`).join(', ')})`);
  // The CLI finds the service by PORT and the demo database by DATABASE_URL (it runs from the
  // repository root, as `npm run` does): spell out what differs from its defaults.
  const port = new URL(sidecar.url).port;
  const cli = `${port !== '8787' ? `PORT=${port} ` : ''}npm run -s cli --`;
  const demoFile = resolve(DEMO_DATABASE_FILE);
  const fromRoot = demoFile.startsWith(`${REPO_ROOT}/`) ? `./${demoFile.slice(REPO_ROOT.length + 1)}` : demoFile;
  out('Try these in another terminal (each prints a signed curl line; `| sh` runs it):');
  out(`  ${cli} sign GET '/preview/outcome?action=cancel&booking_id=bk_demo_upcoming&by=guest' | sh`);
  out(`  ${cli} sign GET '/bookings/bk_demo_cancel/receipt' | sh`);
  out(`  ${cli} sign GET '/hosts/host_demo_1/statement' | sh`);
  out(`  DATABASE_URL=${shellQuote(`sqlite:${fromRoot}`)} ${cli} verify`);
  out('');
}

function shellQuote(s: string): string {
  return /^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

main().catch((err) => {
  process.stderr.write(`fatal: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
