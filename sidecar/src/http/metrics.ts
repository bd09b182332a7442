import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Every metric the sidecar exports, in one registry. Feed them from where the thing happens
 * (`metrics.outboundDeliveryFailures.inc({ type })`), or, for what is read from the database at
 * scrape time, register a collector with `metrics.addCollector(async () => gauge.set(…))`.
 * ops/alerts.yml and ops/grafana-dashboard.json use these names: rename nothing.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const collectors: Array<() => Promise<void>> = [];
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'mybnb_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'] as const, registers }),
    httpDuration: new Histogram({ name: 'mybnb_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers }),
    inboxStored: new Counter({ name: 'mybnb_inbox_events_total', help: 'Events stored in the inbox', labelNames: ['source', 'result'] as const, registers }),
    dispatched: new Counter({ name: 'mybnb_dispatch_results_total', help: 'Dispatch results', labelNames: ['status'] as const, registers }),
    outboxAttempts: new Counter({ name: 'mybnb_outbox_attempts_total', help: 'Stripe calls from the outbox', labelNames: ['operation', 'outcome'] as const, registers }),
    /** Undispatched events in the inbox (read at scrape time). */
    inboxBacklog: new Gauge({ name: 'mybnb_inbox_backlog_events', help: 'Events stored but not yet dispatched', registers }),
    /** Age of the oldest undispatched event (0 when the inbox is drained). */
    dispatchLag: new Gauge({ name: 'mybnb_dispatch_lag_seconds', help: 'Seconds since the oldest undispatched event was received', registers }),
    /** Outbox intents by derived status: pending, retrying, succeeded, failed, exhausted. */
    outboxIntents: new Gauge({ name: 'mybnb_outbox_intents', help: 'Outbox intents by status', labelNames: ['status'] as const, registers }),
    /** Stripe calls that failed and are scheduled again. */
    outboxRetries: new Counter({ name: 'mybnb_outbox_retries_total', help: 'Outbox calls that failed and will be retried', labelNames: ['operation'] as const, registers }),
    /** Differences between the ledger and Stripe, by kind (fed by reconciliation). */
    reconciliationDifferences: new Gauge({ name: 'mybnb_reconciliation_differences', help: 'Open differences between the ledger and Stripe, by kind', labelNames: ['kind'] as const, registers }),
    /** Outbound (Standard Webhooks) deliveries that failed, by event type (fed by outbound delivery). */
    outboundDeliveryFailures: new Counter({ name: 'mybnb_outbound_delivery_failures_total', help: 'Failed outbound event deliveries', labelNames: ['type'] as const, registers }),
    clockTicks: new Counter({ name: 'mybnb_clock_ticks_total', help: 'Ticks of the built-in clock by result (stored, duplicate, standby)', labelNames: ['result'] as const, registers }),
    addCollector(fn: () => Promise<void>): void {
      collectors.push(fn);
    },
    /** Runs the collectors, then renders the registry in the text exposition format. */
    async scrape(): Promise<string> {
      await Promise.all(collectors.map((c) => c()));
      return registry.metrics();
    },
  };
}
