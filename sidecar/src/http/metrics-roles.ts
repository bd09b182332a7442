import type { KeyRole } from '../config.js';
import { rolesOf } from './route-roles.js';

/**
 * Who may read /metrics on the public port: the `operator` role (route-roles.ts). Unsigned
 * scraping is only on METRICS_PORT, bound to 127.0.0.1 (http/metrics-server.ts).
 */
export const METRICS_ROLES: KeyRole[] = [...rolesOf('GET /metrics')];
