import type { ConfigProblem } from './config.js';

/**
 * Demo mode or a configured start — decided so that it can never fail open (issue #10).
 *
 * Demo mode invents keys, points the Stripe SDK at a local fake and writes a demo story into the
 * ledger for good. So it runs only when nothing that points at real data, money or secrets is set
 * (a fresh clone's `npm start`), or when asked for with `--demo` — and then it refuses those
 * variables rather than ignoring them. Anything else needs SIDECAR_KEYS; without them the start is
 * refused, naming the variable, before anything is opened or written.
 */

/** Where demo mode keeps its SQLite file (relative to the working directory), apart from any real ledger. */
export const DEMO_DATABASE_FILE = './data/demo/mybnb.sqlite';
export const DEMO_LISTEN_HOST = '127.0.0.1';

/** The variables whose presence means "this is a real deployment", as they are named in messages. */
export function deploymentSignals(env: NodeJS.ProcessEnv): string[] {
  const signals: string[] = [];
  for (const name of ['DATABASE_URL', 'SIDECAR_KEYS', 'STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'STRIPE_WEBHOOK_SECRETS'] as const) {
    if ((env[name] ?? '').trim() !== '') signals.push(name);
  }
  if (env.NODE_ENV === 'production') signals.push('NODE_ENV');
  return signals;
}

const describe = (env: NodeJS.ProcessEnv, name: string): string =>
  name === 'NODE_ENV' ? 'NODE_ENV=production' : name === 'DATABASE_URL' ? `DATABASE_URL (${/^mysql:/.test(env.DATABASE_URL ?? '') ? 'MySQL' : 'a database'})` : name;

export type StartModeInput = { demoFlag: boolean; listenHost: string; stripeSecretKey: string | null; stripeApiUrl: URL | null };

export function decideStartMode(env: NodeJS.ProcessEnv, input: StartModeInput): { demo: boolean; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [...stripeTargetProblems(input.stripeSecretKey, input.stripeApiUrl)];
  const signals = deploymentSignals(env);
  const demo = input.demoFlag || signals.length === 0;
  if (input.demoFlag) {
    for (const name of signals) {
      problems.push({ variable: name, message: `--demo runs on its own keys, database (${DEMO_DATABASE_FILE}) and Stripe fake and never touches configured data or money: unset ${name}, or start without --demo` });
    }
  } else if (!signals.includes('SIDECAR_KEYS') && signals.length > 0) {
    problems.push({
      variable: 'SIDECAR_KEYS',
      message: `is required: ${signals.map((s) => describe(env, s)).join(', ')} ${signals.length > 1 ? 'are' : 'is'} set, so this is a configured start, not a demo (demo mode runs only when none of DATABASE_URL, NODE_ENV=production, STRIPE_SECRET_KEY, STRIPE_API_URL, STRIPE_WEBHOOK_SECRETS is set, or with --demo)`,
    });
  }
  if (demo && input.listenHost !== DEMO_LISTEN_HOST) {
    problems.push({ variable: 'LISTEN_HOST', message: `demo mode listens on ${DEMO_LISTEN_HOST} only (its keys are public): unset LISTEN_HOST or configure a real start` });
  }
  return { demo, problems };
}

/** A live key only ever talks to Stripe itself: never to the local fake or any other host. */
export function stripeTargetProblems(key: string | null, url: URL | null): ConfigProblem[] {
  if (key === null || url === null || !/^(sk|rk)_live_/.test(key)) return [];
  if (url.protocol === 'https:' && url.hostname === 'api.stripe.com') return [];
  return [{ variable: 'STRIPE_API_URL', message: `a live STRIPE_SECRET_KEY is only ever sent to Stripe, not to ${url.host}: unset STRIPE_API_URL, or use a test key (sk_test_…) with the fake` }];
}
