import type { Db } from '../db/connect.js';
import { dispatchLag } from '../sari/dispatch-lag.js';
import { allIntents } from '../flows/outbox/intents.js';
import { latestDifferenceCounts } from '../flows/reconciliation/reports.js';
import type { Metrics } from './metrics.js';

const OUTBOX_STATUSES = ['pending', 'retrying', 'succeeded', 'failed', 'exhausted'] as const;

/** The gauges read from the database at scrape time: inbox backlog, dispatch lag, outbox states, reconciliation differences. */
export function registerOpsMetrics(metrics: Metrics, db: Db, now_ms: () => number): void {
  metrics.addCollector(async () => {
    const lag = await dispatchLag(db, now_ms());
    metrics.inboxBacklog.set(lag.backlog);
    metrics.dispatchLag.set(lag.lag_s);
  });
  metrics.addCollector(async () => {
    const counts = new Map<string, number>(OUTBOX_STATUSES.map((s) => [s, 0]));
    for (const i of await allIntents(db)) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
    for (const [status, n] of counts) metrics.outboxIntents.set({ status }, n);
  });
  // The latest daily reconciliation's differences, by kind (issue #12): above zero is an alert.
  metrics.addCollector(async () => {
    for (const [kind, n] of Object.entries(await latestDifferenceCounts(db))) metrics.reconciliationDifferences.set({ kind }, n);
  });
}
