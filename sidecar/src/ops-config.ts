import { z } from 'zod';
import { ConfigError } from './config.js';

/**
 * The operations settings of issue #16: the metrics port, readiness and shutdown bounds. (The
 * built-in clock's interval is CLOCK_TICK_S in config.ts: `clockTick_s`, 0 = off.)
 */
export type OpsConfig = {
  /** METRICS_PORT: also serve /metrics unsigned on 127.0.0.1:METRICS_PORT (unset: only signed /metrics). */
  metricsPort: number | null;
  /** READY_MAX_DISPATCH_LAG_S (default 300): /readyz fails while the oldest undispatched event is older. */
  readyMaxDispatchLag_s: number;
  /** SHUTDOWN_GRACE_S (default 20): how long SIGTERM waits for the batch in hand before giving up. */
  shutdownGrace_s: number;
};

export const OPS_DEFAULTS: OpsConfig = { metricsPort: null, readyMaxDispatchLag_s: 300, shutdownGrace_s: 20 };

export function loadOpsConfig(env: NodeJS.ProcessEnv): OpsConfig {
  const int = (variable: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const r = z.coerce.number().int().min(min).max(max).safeParse(raw);
    if (!r.success) throw new ConfigError(variable, `invalid value ${JSON.stringify(raw)}: an integer from ${min} is expected`);
    return r.data;
  };
  return {
    metricsPort: env.METRICS_PORT ? int('METRICS_PORT', 0, 0, 65535) : null,
    readyMaxDispatchLag_s: int('READY_MAX_DISPATCH_LAG_S', OPS_DEFAULTS.readyMaxDispatchLag_s, 1),
    shutdownGrace_s: int('SHUTDOWN_GRACE_S', OPS_DEFAULTS.shutdownGrace_s, 1),
  };
}
