import { z } from 'zod';
import { parseDatabaseUrl, type DatabaseTarget } from './db/database-url.js';
import { loadOpsConfig, type OpsConfig } from './ops-config.js';

export type KeyRole = 'booking-engine' | 'reader';
export type SidecarKey = { keyId: string; secret: string; role: KeyRole };

export type Config = {
  port: number;
  database: DatabaseTarget;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  stripeWebhookSecrets: string[];
  sidecarKeys: SidecarKey[];
  stripeSecretKey: string | null;
  stripeApiUrl: URL | null;
  policyDir: string;
  inboxMaxBacklog: number;
  rateLimitPerMinute: number;
  /** No SIDECAR_KEYS: demo mode (demo keys, the Stripe fake, a demo story). */
  demo: boolean;
  /** Clock, metrics port, readiness bounds (ops-config.ts). */
  ops: OpsConfig;
};

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and checks the environment once, at start. A bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parse('PORT', env.PORT ?? '8787', z.coerce.number().int().min(0).max(65535));
  let database: DatabaseTarget;
  try {
    database = parseDatabaseUrl(env.DATABASE_URL);
  } catch (e) {
    throw new ConfigError('DATABASE_URL', (e as Error).message);
  }
  const logLevel = parse('LOG_LEVEL', env.LOG_LEVEL ?? 'info', z.enum(LOG_LEVELS));
  const stripeWebhookSecrets = list(env.STRIPE_WEBHOOK_SECRETS).map((s) => {
    if (!s.startsWith('whsec_')) throw new ConfigError('STRIPE_WEBHOOK_SECRETS', 'each secret must start with whsec_');
    return s;
  });
  const sidecarKeys = parseSidecarKeys(env.SIDECAR_KEYS);
  const stripeSecretKey = env.STRIPE_SECRET_KEY ? env.STRIPE_SECRET_KEY : null;
  if (stripeSecretKey !== null && !/^(sk|rk)_(test|live)_\w+$/.test(stripeSecretKey)) {
    throw new ConfigError('STRIPE_SECRET_KEY', 'must look like sk_test_… or sk_live_…');
  }
  let stripeApiUrl: URL | null = null;
  if (env.STRIPE_API_URL) {
    try {
      stripeApiUrl = new URL(env.STRIPE_API_URL);
    } catch {
      throw new ConfigError('STRIPE_API_URL', 'must be a URL such as http://127.0.0.1:12111');
    }
    if (!['http:', 'https:'].includes(stripeApiUrl.protocol)) throw new ConfigError('STRIPE_API_URL', 'must be http or https');
  }
  return {
    port,
    database,
    logLevel,
    stripeWebhookSecrets,
    sidecarKeys,
    stripeSecretKey,
    stripeApiUrl,
    policyDir: env.POLICY_DIR || './policies',
    inboxMaxBacklog: parse('INBOX_MAX_BACKLOG', env.INBOX_MAX_BACKLOG ?? '50000', z.coerce.number().int().min(1)),
    rateLimitPerMinute: parse('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE ?? '120000', z.coerce.number().int().min(1)),
    demo: sidecarKeys.length === 0,
    ops: loadOpsConfig(env),
  };
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
    if (role !== 'booking-engine' && role !== 'reader') throw new ConfigError('SIDECAR_KEYS', `role of key ${keyId} must be booking-engine or reader`);
    return { keyId, secret, role: role as KeyRole };
  });
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.keyId)) throw new ConfigError('SIDECAR_KEYS', `key id ${k.keyId} listed twice`);
    ids.add(k.keyId);
  }
  return keys;
}
