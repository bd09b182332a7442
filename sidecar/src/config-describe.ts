import type { ConfigCheck } from './config.js';
import type { DatabaseTarget } from './db/database-url.js';

/**
 * The effective configuration as text for `mybnb config check` and the start banner: every value a
 * person needs to see, every secret and password masked (only a recognisable prefix survives).
 */
export const MASK = '****';

/** `mysql://user:****@host:port/db` (a password is never shown), or `sqlite:<file>`. */
export function maskDatabaseTarget(t: DatabaseTarget): string {
  if (t.dialect === 'sqlite') return `sqlite:${t.filename}`;
  return `mysql://${encodeURIComponent(t.user)}${t.password ? `:${MASK}` : ''}@${t.host}:${t.port}/${t.database}`;
}

/** `sk_live_****`, `whsec_****`: the kind of secret, never any of its characters. */
export function maskSecret(secret: string): string {
  const prefix = /^((?:sk|rk|pk)_(?:test|live)_|whsec_)/.exec(secret)?.[1] ?? '';
  return `${prefix}${MASK}`;
}

export function describeConfig({ config, problems }: ConfigCheck, env: NodeJS.ProcessEnv): string[] {
  const mode = problems.length ? 'REFUSED (see problems)' : config.demo ? 'demo (demo keys, local Stripe fake, 127.0.0.1 only)' : 'configured';
  const rows: Array<[string, string]> = [
    ['mode', mode],
    ['NODE_ENV', env.NODE_ENV || '(unset)'],
    ['PORT', String(config.port)],
    ['LISTEN_HOST', config.listenHost],
    ['DATABASE_URL', maskDatabaseTarget(config.database)],
    ['LOG_LEVEL', config.logLevel],
    ['SIDECAR_KEYS', config.demo && config.sidecarKeys.length === 0 ? '(demo keys, public)' : config.sidecarKeys.map((k) => `${k.keyId}:${MASK}:${k.role}`).join(', ') || '(none)'],
    ['STRIPE_SECRET_KEY', config.stripeSecretKey ? maskSecret(config.stripeSecretKey) : config.demo ? '(demo: the local fake)' : '(unset: nothing is sent to Stripe)'],
    ['STRIPE_API_URL', config.stripeApiUrl ? config.stripeApiUrl.origin : config.demo ? '(demo: the local fake)' : '(Stripe)'],
    ['STRIPE_WEBHOOK_SECRETS', config.stripeWebhookSecrets.map(maskSecret).join(', ') || (config.demo ? '(demo secret)' : '(none)')],
    ['POLICY_DIR', config.policyDir],
    ['INBOX_MAX_BACKLOG', String(config.inboxMaxBacklog)],
    ['RATE_LIMIT_PER_MINUTE', String(config.rateLimitPerMinute)],
    ['MYSQL_APP_USER', env.MYSQL_APP_USER || 'mybnb_app'],
    ['MYSQL_APP_PASSWORD', env.MYSQL_APP_PASSWORD ? MASK : '(unset: `migrate` on MySQL refuses)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const bad = new Set(problems.map((p) => p.variable));
  const lines = ['effective configuration (secrets masked):', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}${bad.has(k) ? '   <- see problems' : ''}`)];
  if (problems.length === 0) return [...lines, 'no problems'];
  return [...lines, `${problems.length} problem${problems.length > 1 ? 's' : ''}:`, ...problems.map((p) => `  ${p.variable}: ${p.message}`)];
}
