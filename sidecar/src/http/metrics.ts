import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'mybnb_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'] as const, registers: [registry] }),
    httpDuration: new Histogram({ name: 'mybnb_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    inboxStored: new Counter({ name: 'mybnb_inbox_events_total', help: 'Events stored in the inbox', labelNames: ['source', 'result'] as const, registers: [registry] }),
    dispatched: new Counter({ name: 'mybnb_dispatch_results_total', help: 'Dispatch results', labelNames: ['status'] as const, registers: [registry] }),
    outboxAttempts: new Counter({ name: 'mybnb_outbox_attempts_total', help: 'Stripe calls from the outbox', labelNames: ['operation', 'outcome'] as const, registers: [registry] }),
  };
}
