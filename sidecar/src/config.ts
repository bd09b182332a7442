import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDatabaseUrl, type DatabaseTarget } from './db/database-url.js';
import { decideStartMode, DEMO_DATABASE_FILE } from './start-mode.js';

/** The contract's key roles; which routes each may call is http/route-roles.ts. */
export const KEY_ROLES = ['booking-engine', 'reader', 'auditor', 'operator'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];
export type SidecarKey = { keyId: string; secret: string; role: KeyRole };

export type Config = {
  port: number;
  /** LISTEN_HOST (default 127.0.0.1; demo mode: 127.0.0.1 only). */
  listenHost: string;
  database: DatabaseTarget;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  stripeWebhookSecrets: string[];
  sidecarKeys: SidecarKey[];
  stripeSecretKey: string | null;
  stripeApiUrl: URL | null;
  policyDir: string;
  inboxMaxBacklog: number;
  rateLimitPerMinute: number;
  /** How far after its receipt an event's occurred_at may lie (EVENT_MAX_SKEW_S, default 300). */
  eventMaxSkew_s: number;
  /** The sidecar's own clock.tick every this many seconds (CLOCK_TICK_S, default 60; 0 = off). */
  clockTick_s: number;
  /** Nothing configured, or --demo: demo keys, the Stripe fake, a demo story (start-mode.ts). */
  demo: boolean;
  /** OUTBOUND_SECRETS_KEY (#15): outbound endpoint secrets derive from it; unset, events are kept and not delivered. */
  outboundSecretsKey?: string | null;
  /** NODE_ENV=development: http:// outbound endpoints are allowed (https everywhere else). */
  development?: boolean;
};

export type ConfigProblem = { variable: string; message: string };

/** A configuration that must not start. `variable` names the first problem; `problems` holds all. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(readonly variable: string, message: string, more: ConfigProblem[] = []) {
    const problems = [{ variable, message }, ...more];
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type ConfigOptions = { /** `--demo` was given. */ demo?: boolean };
/** The effective configuration (fallbacks where a value is bad) and every problem found, at once. */
export type ConfigCheck = { config: Config; problems: ConfigProblem[] };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and checks the environment once, at start. Any problem stops it, each naming its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: ConfigOptions = {}): Config {
  const { config, problems } = checkConfig(env, opts);
  const [first, ...more] = problems;
  if (first) throw new ConfigError(first.variable, first.message, more);
  return config;
}

/** Every variable checked; a bad one is recorded (and a harmless fallback used) so all are listed at once. */
export function checkConfig(env: NodeJS.ProcessEnv = process.env, opts: ConfigOptions = {}): ConfigCheck {
  const problems: ConfigProblem[] = [];
  const field = <T>(fallback: T, read: () => T): T => {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
      return fallback;
    }
  };
  const port = field(8787, () => parse('PORT', env.PORT ?? '8787', z.coerce.number().int().min(0).max(65535)));
  const listenHost = field('127.0.0.1', () => parseListenHost(env.LISTEN_HOST));
  let database = field<DatabaseTarget>({ dialect: 'sqlite', filename: DEMO_DATABASE_FILE }, () => {
    try {
      return parseDatabaseUrl(env.DATABASE_URL);
    } catch (e) {
      throw new ConfigError('DATABASE_URL', (e as Error).message);
    }
  });
  const logLevel = field<Config['logLevel']>('info', () => parse('LOG_LEVEL', env.LOG_LEVEL ?? 'info', z.enum(LOG_LEVELS)));
  const stripeWebhookSecrets = field([], () => list(env.STRIPE_WEBHOOK_SECRETS).map((s) => {
    if (!s.startsWith('whsec_')) throw new ConfigError('STRIPE_WEBHOOK_SECRETS', 'each secret must start with whsec_');
    return s;
  }));
  const sidecarKeys = field([], () => parseSidecarKeys(env.SIDECAR_KEYS));
  const stripeSecretKey = field(null, () => {
    const key = env.STRIPE_SECRET_KEY ? env.STRIPE_SECRET_KEY : null;
    if (key !== null && !/^(sk|rk)_(test|live)_\w+$/.test(key)) throw new ConfigError('STRIPE_SECRET_KEY', 'must look like sk_test_… or sk_live_…');
    return key;
  });
  const stripeApiUrl = field(null, () => {
    if (!env.STRIPE_API_URL) return null;
    let url: URL;
    try {
      url = new URL(env.STRIPE_API_URL);
    } catch {
      throw new ConfigError('STRIPE_API_URL', 'must be a URL such as http://127.0.0.1:12111');
    }
    if (!['http:', 'https:'].includes(url.protocol)) throw new ConfigError('STRIPE_API_URL', 'must be http or https');
    return url;
  });
  const policyDir = env.POLICY_DIR || './policies';
  const inboxMaxBacklog = field(50_000, () => parse('INBOX_MAX_BACKLOG', env.INBOX_MAX_BACKLOG ?? '50000', z.coerce.number().int().min(1)));
  const rateLimitPerMinute = field(120_000, () => parse('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE ?? '120000', z.coerce.number().int().min(1)));
  const eventMaxSkew_s = field(300, () => parse('EVENT_MAX_SKEW_S', env.EVENT_MAX_SKEW_S ?? '300', z.coerce.number().int().min(0).max(3600)));
  const clockTick_s = field(60, () => parse('CLOCK_TICK_S', env.CLOCK_TICK_S ?? '60', z.coerce.number().int().min(0).max(86_400)));
  const outboundSecretsKey = field(null, () => parseOutboundSecretsKey(env.OUTBOUND_SECRETS_KEY));
  const mode = decideStartMode(env, { demoFlag: opts.demo === true, listenHost, stripeSecretKey, stripeApiUrl });
  problems.push(...mode.problems);
  if (mode.demo) database = { dialect: 'sqlite', filename: DEMO_DATABASE_FILE };
  return {
    config: { port, listenHost, database, logLevel, stripeWebhookSecrets, sidecarKeys, stripeSecretKey, stripeApiUrl, policyDir, inboxMaxBacklog, rateLimitPerMinute, eventMaxSkew_s, clockTick_s, demo: mode.demo, outboundSecretsKey, development: env.NODE_ENV === 'development' },
    problems,
  };
}

export function parseOutboundSecretsKey(raw: string | undefined): string | null {
  if (!raw) return null;
  if (raw.length < 32) throw new ConfigError('OUTBOUND_SECRETS_KEY', 'must be at least 32 characters (endpoint secrets are derived from it)');
  return raw;
}

function parseListenHost(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '127.0.0.1';
  if (raw !== 'localhost' && isIP(raw) === 0) throw new ConfigError('LISTEN_HOST', `invalid value ${JSON.stringify(raw)}: an IP address such as 127.0.0.1 or 0.0.0.0`);
  return raw;
}

function parse<T>(variable: string, raw: string, schema: z.ZodType<T>): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new ConfigError(variable, `invalid value ${JSON.stringify(raw)}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function parseSidecarKeys(raw: string | undefined): SidecarKey[] {
  const keys = list(raw).map((item) => {
    const parts = item.split(':');
    if (parts.length !== 3) throw new ConfigError('SIDECAR_KEYS', 'each key is keyId:secret:role');
    const [keyId, secret, role] = parts as [string, string, string];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(keyId)) throw new ConfigError('SIDECAR_KEYS', `bad key id ${JSON.stringify(keyId)}`);
    if (secret.length < 16) throw new ConfigError('SIDECAR_KEYS', `secret of key ${keyId} is shorter than 16 characters`);
    if (!(KEY_ROLES as readonly string[]).includes(role)) throw new ConfigError('SIDECAR_KEYS', `role of key ${keyId} must be one of ${KEY_ROLES.join(', ')}`);
    return { keyId, secret, role: role as KeyRole };
  });
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.keyId)) throw new ConfigError('SIDECAR_KEYS', `key id ${k.keyId} listed twice`);
    ids.add(k.keyId);
  }
  return keys;
}
