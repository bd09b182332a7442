import type { KeyRole } from '../config.js';

/**
 * Who may read /metrics on the public port: a signed key of these roles. (The contract gives
 * metrics to the `operator` role of issue #13; until that role exists every signed key may.)
 * Unsigned scraping is only on METRICS_PORT, bound to 127.0.0.1 (http/metrics-server.ts).
 */
export const METRICS_ROLES: KeyRole[] = ['booking-engine', 'reader'];
