import { canonicalJson } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import { insertRows } from '../ledger/multi-row-insert.js';
import type { Effects } from '../effects.js';

/** The host-subscription effects of a batch, one multi-row INSERT per table (keyed rows skip a key already taken). */
export async function writeSubscriptionEffects(db: Db, fx: Effects): Promise<number> {
  let n = 0;
  n += await insertRows(db, 'host_subscriptions', ['subscription_id', 'host_id', 'customer', 'currency', 'linked_by', 'policy', 'inbox_id'],
    fx.subscriptionLinks.map((l) => [l.subscription_id, l.host_id, l.customer, l.currency, l.linked_by, canonicalJson(l.policy), l.inbox_id]), { ignoreDuplicates: true });
  n += await insertRows(db, 'subscription_snapshots', ['subscription_id', 'state', 'price', 'item_id', 'quantity', 'period_start', 'period_end', 'reported_at', 'inbox_id'],
    fx.subscriptionSnapshots.map((s) => [s.subscription_id, s.state, s.price, s.item_id, s.quantity, s.period_start, s.period_end, s.reported_at, s.inbox_id]));
  n += await insertRows(db, 'subscription_invoice_events', ['invoice_id', 'subscription_id', 'status', 'amount_remaining_minor', 'at', 'inbox_id'],
    fx.invoiceEvents.map((e) => [e.invoice_id, e.subscription_id, e.status, e.amount_remaining_minor, e.at, e.inbox_id]), { ignoreDuplicates: true });
  n += await insertRows(db, 'revenue_schedules', ['schedule_id', 'invoice_id', 'host_id', 'currency', 'amount_minor', 'period_start', 'period_end', 'inbox_id'],
    fx.revenueSchedules.map((s) => [s.schedule_id, s.invoice_id, s.host_id, s.currency, s.amount_minor, s.period_start, s.period_end, s.inbox_id]), { ignoreDuplicates: true });
  n += await insertRows(db, 'revenue_recognitions', ['schedule_id', 'through_day', 'inbox_id'], fx.revenueRecognitions.map((r) => [r.schedule_id, r.through_day, r.inbox_id]), { ignoreDuplicates: true });
  n += await insertRows(db, 'dunning_steps', ['host_id', 'subscription_id', 'episode', 'step', 'decision_id', 'at', 'inbox_id'],
    fx.dunningSteps.map((s) => [s.host_id, s.subscription_id, s.episode, s.step, s.decision_id, s.at, s.inbox_id]), { ignoreDuplicates: true });
  return n;
}
