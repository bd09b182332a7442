import type { KeyRole } from '../config.js';

/**
 * Who may call what (issue #13; roles as the contract's "Key roles" names them). One table, next
 * to the routes: a route is registered with `signedFor('GET /path')`, which looks its roles up
 * here, and http/route-roles.test.ts checks that every registered route has exactly one row and
 * tries every route with every role. Adding a route = adding a row.
 *
 * - `booking-engine` writes events and reads what the engine needs (the status of what it sent,
 *   bookings, previews, constraints, policies).
 * - `reader` — the WordPress plugin: bookings, previews, receipts, statements, credits.
 * - `auditor` — ledger, evidence, exports, reconciliation.
 * - `operator` — outbox, inbox, metrics, endpoints.
 * `PUBLIC` routes carry no signature (health probes, Stripe's own signed webhook).
 */
export const PUBLIC = 'public' as const;

export const ROUTE_ROLES = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  // The operator's (issue #16): unsigned → 401. A Prometheus that cannot sign scrapes the unsigned
  // copy on 127.0.0.1:METRICS_PORT (http/metrics-server.ts), reachable only from the machine or pod.
  'GET /metrics': ['operator'],
  // The API contract (generated from the zod schemas, http/openapi).
  'GET /openapi.json': PUBLIC,
  'POST /webhooks/stripe': PUBLIC,
  'POST /events/booking': ['booking-engine'],
  'GET /inbox/:source/:eventId': ['booking-engine', 'operator'],
  'GET /ledger/entries': ['auditor'],
  'GET /preview/outcome': ['booking-engine', 'reader'],
  'GET /constraints': ['booking-engine', 'reader'],
  'GET /bookings/:id': ['booking-engine', 'reader'],
  'GET /bookings/:id/receipt': ['booking-engine', 'reader'],
  'GET /bookings/:id/evidence': ['auditor'],
  // What was (or would be) submitted to Stripe for a dispute (issue #12): evidence, for the auditor.
  'GET /bookings/:id/dispute-evidence': ['auditor'],
  'GET /reconciliation': ['auditor'],
  'GET /evidence/:decisionId': ['auditor'],
  'GET /hosts/:id/statement': ['reader', 'auditor'],
  // The host's subscription (#14): what the plugin shows the host, and the engine's previews need.
  'GET /hosts/:id/subscription': ['booking-engine', 'reader', 'auditor'],
  'GET /guests/:id/credits': ['booking-engine', 'reader'],
  'GET /policies': ['booking-engine', 'reader', 'auditor'],
  'GET /policies/:id/:version': ['booking-engine', 'reader', 'auditor'],
  'GET /outbox': ['operator'],
  'GET /suspense': ['auditor', 'operator'],
  'GET /outbound/deliveries': ['operator'],
  'GET /guests/:id/bookings': ['booking-engine', 'reader'],
  // Which key is asking (the plugin's Test connection): any authenticated role.
  'GET /whoami': ['booking-engine', 'reader', 'auditor', 'operator'],
} as const satisfies Record<string, readonly KeyRole[] | typeof PUBLIC>;

export type RouteKey = keyof typeof ROUTE_ROLES;

export function rolesOf(route: RouteKey): readonly KeyRole[] {
  const roles = ROUTE_ROLES[route];
  if (roles === PUBLIC) throw new Error(`${route} is public: it has no roles`);
  return roles;
}

/** The table's row for a concrete request line (`GET /bookings/bk_1/receipt?x=1`), if any. */
export function routeOf(method: string, pathWithQuery: string): RouteKey | undefined {
  const path = pathWithQuery.split('?')[0]!;
  return (Object.keys(ROUTE_ROLES) as RouteKey[]).find((k) => {
    const [m, pattern] = k.split(' ') as [string, string];
    if (m !== method.toUpperCase()) return false;
    const re = new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    return re.test(path);
  });
}
