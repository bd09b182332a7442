import { z } from 'zod';
import { ConfigError } from './config.js';

/** The operations settings of issue #16: the built-in clock, the metrics port, readiness bounds. */
export type OpsConfig = {
  /** CLOCK_TICK=on|off (default on): the sidecar records its own `clock.tick` every interval. */
  clockTick: boolean;
  /** CLOCK_TICK_INTERVAL_S (default 60): one tick per interval; replicas must agree on it. */
  clockTickInterval_s: number;
  /** METRICS_PORT: also serve /metrics unsigned on 127.0.0.1:METRICS_PORT (unset: only signed /metrics). */
  metricsPort: number | null;
  /** READY_MAX_DISPATCH_LAG_S (default 300): /readyz fails while the oldest undispatched event is older. */
  readyMaxDispatchLag_s: number;
  /** SHUTDOWN_GRACE_S (default 20): how long SIGTERM waits for the batch in hand before giving up. */
  shutdownGrace_s: number;
};

export const OPS_DEFAULTS: OpsConfig = { clockTick: true, clockTickInterval_s: 60, metricsPort: null, readyMaxDispatchLag_s: 300, shutdownGrace_s: 20 };

export function loadOpsConfig(env: NodeJS.ProcessEnv): OpsConfig {
  const int = (variable: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const r = z.coerce.number().int().min(min).max(max).safeParse(raw);
    if (!r.success) throw new ConfigError(variable, `invalid value ${JSON.stringify(raw)}: an integer from ${min} is expected`);
    return r.data;
  };
  const tick = (env.CLOCK_TICK ?? 'on').toLowerCase();
  if (tick !== 'on' && tick !== 'off') throw new ConfigError('CLOCK_TICK', 'must be on or off');
  return {
    clockTick: tick === 'on',
    clockTickInterval_s: int('CLOCK_TICK_INTERVAL_S', OPS_DEFAULTS.clockTickInterval_s, 1, 3600),
    metricsPort: env.METRICS_PORT ? int('METRICS_PORT', 0, 0, 65535) : null,
    readyMaxDispatchLag_s: int('READY_MAX_DISPATCH_LAG_S', OPS_DEFAULTS.readyMaxDispatchLag_s, 1),
    shutdownGrace_s: int('SHUTDOWN_GRACE_S', OPS_DEFAULTS.shutdownGrace_s, 1),
  };
}
