import type Stripe from 'stripe';
import type { Db } from '../db/connect.js';
import { reconcileWithStripe } from './reconcile.js';

/**
 * One day's reconciliation, run by the outbox for a `reconcile_day` intent (issue #12). The report
 * comes back as an object logged like one Stripe returned (stripe_api `reconciliation_report:<day>`,
 * at the end of the day), so storing it, the metric and the alert follow from the log. `matched` is
 * logged as a count: the differences are what the report is for.
 */
export async function runDailyReconciliation(db: Db, stripe: Stripe, p: { day: string; from: string; to: string }): Promise<Record<string, unknown>> {
  const { matched, ...report } = await reconcileWithStripe(db, stripe, { from: p.from, to: p.to });
  return { object: 'reconciliation_report', id: p.day, created: Math.floor(Date.parse(p.to) / 1000), ...report, matched_count: matched.length };
}
