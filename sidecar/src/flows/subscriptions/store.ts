import { toInt, type Db } from '../../db/connect.js';
import type { PolicyRef } from '../booking/store.js';

/**
 * Host subscriptions as the log records them (issue #14), in append-only tables: links to hosts,
 * every reported state, invoices' lifecycle, deferred-revenue schedules and their recognition,
 * dunning steps. `SubscriptionRows` is all of it; every question below is a pure function over
 * rows, so the batch dispatcher (loaded rows plus the batch's own effects) and the HTTP reads
 * (rows loaded from the database) answer the same way.
 */

/** A subscription linked to its host, and the policy it is pinned to. */
export type HostSubscription = { subscription_id: string; host_id: string; customer: string; currency: string; linked_by: string; policy: PolicyRef; inbox_id: number };

/** States as NORA's subscription state machine names them (checked there before a snapshot is recorded). */
export type SubscriptionState = 'none' | 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'unpaid' | 'canceled' | 'paused';

export type SubscriptionSnapshot = { subscription_id: string; state: SubscriptionState; price: string; item_id: string; quantity: number; period_start: string; period_end: string; reported_at: string; inbox_id: number };
export type InvoiceEventStatus = 'finalized' | 'paid' | 'payment_failed' | 'void' | 'uncollectible' | 'offset';
export type InvoiceEvent = { invoice_id: string; subscription_id: string; status: InvoiceEventStatus; amount_remaining_minor: number; at: string; inbox_id: number };
export type RevenueSchedule = { schedule_id: string; invoice_id: string; host_id: string; currency: string; amount_minor: number; period_start: string; period_end: string; inbox_id: number };
export type RevenueRecognition = { schedule_id: string; through_day: number; inbox_id: number };
export type DunningStep = { host_id: string; subscription_id: string; episode: string; step: 'hold' | 'offset' | 'unbookable' | 'release'; decision_id: string; at: string; inbox_id: number };

export type SubscriptionRows = {
  links: HostSubscription[];
  snapshots: SubscriptionSnapshot[];
  invoiceEvents: InvoiceEvent[];
  schedules: RevenueSchedule[];
  recognitions: RevenueRecognition[];
  dunningSteps: DunningStep[];
};

export function emptySubscriptionRows(): SubscriptionRows {
  return { links: [], snapshots: [], invoiceEvents: [], schedules: [], recognitions: [], dunningSteps: [] };
}

/** Every subscription row, in log order (one statement per table). */
export async function loadSubscriptionRows(db: Db): Promise<SubscriptionRows> {
  const [links, snaps, events, schedules, recognitions, steps] = [
    await db('host_subscriptions').orderBy('inbox_id').orderBy('subscription_id'),
    await db('subscription_snapshots').orderBy('id'),
    await db('subscription_invoice_events').orderBy('id'),
    await db('revenue_schedules').orderBy('schedule_id'),
    await db('revenue_recognitions').orderBy('id'),
    await db('dunning_steps').orderBy('id'),
  ];
  return {
    links: (links as Array<Record<string, unknown>>).map((r) => ({ subscription_id: String(r.subscription_id), host_id: String(r.host_id), customer: String(r.customer), currency: String(r.currency), linked_by: String(r.linked_by), policy: JSON.parse(String(r.policy)) as PolicyRef, inbox_id: toInt(r.inbox_id) })),
    snapshots: (snaps as Array<Record<string, unknown>>).map((r) => ({ subscription_id: String(r.subscription_id), state: String(r.state) as SubscriptionState, price: String(r.price), item_id: String(r.item_id), quantity: toInt(r.quantity), period_start: String(r.period_start), period_end: String(r.period_end), reported_at: String(r.reported_at), inbox_id: toInt(r.inbox_id) })),
    invoiceEvents: (events as Array<Record<string, unknown>>).map((r) => ({ invoice_id: String(r.invoice_id), subscription_id: String(r.subscription_id), status: String(r.status) as InvoiceEventStatus, amount_remaining_minor: toInt(r.amount_remaining_minor), at: String(r.at), inbox_id: toInt(r.inbox_id) })),
    schedules: (schedules as Array<Record<string, unknown>>).map((r) => ({ schedule_id: String(r.schedule_id), invoice_id: String(r.invoice_id), host_id: String(r.host_id), currency: String(r.currency), amount_minor: toInt(r.amount_minor), period_start: String(r.period_start), period_end: String(r.period_end), inbox_id: toInt(r.inbox_id) })),
    recognitions: (recognitions as Array<Record<string, unknown>>).map((r) => ({ schedule_id: String(r.schedule_id), through_day: toInt(r.through_day), inbox_id: toInt(r.inbox_id) })),
    dunningSteps: (steps as Array<Record<string, unknown>>).map((r) => ({ host_id: String(r.host_id), subscription_id: String(r.subscription_id), episode: String(r.episode), step: String(r.step) as DunningStep['step'], decision_id: String(r.decision_id), at: String(r.at), inbox_id: toInt(r.inbox_id) })),
  };
}

// ------------------------------------------------------------------------------ pure questions

export const subscriptionById = (rows: SubscriptionRows, id: string) => rows.links.find((l) => l.subscription_id === id);
export const subscriptionByCustomer = (rows: SubscriptionRows, customer: string) => [...rows.links].reverse().find((l) => l.customer === customer);
/** The host's subscription: the one linked last. */
export const subscriptionOfHost = (rows: SubscriptionRows, host_id: string) => [...rows.links].reverse().find((l) => l.host_id === host_id);

export function snapshotsOf(rows: SubscriptionRows, subscription_id: string): SubscriptionSnapshot[] {
  return rows.snapshots.filter((s) => s.subscription_id === subscription_id);
}

/** The latest report of the subscription by Stripe's own time (a late, older report does not win). */
export function currentSnapshot(rows: SubscriptionRows, subscription_id: string): SubscriptionSnapshot | undefined {
  let best: SubscriptionSnapshot | undefined;
  for (const s of snapshotsOf(rows, subscription_id)) if (!best || s.reported_at >= best.reported_at) best = s;
  return best;
}

export function invoiceEventsOf(rows: SubscriptionRows, subscription_id: string): InvoiceEvent[] {
  return rows.invoiceEvents.filter((e) => e.subscription_id === subscription_id);
}

/** Invoices still owed (a finalization or failure not followed by paid, void, uncollectible or offset), with when they first failed. */
export function openInvoices(rows: SubscriptionRows, subscription_id: string): Array<{ invoice_id: string; amount_remaining_minor: number; failed_at: string | null }> {
  const by = new Map<string, { amount_remaining_minor: number; failed_at: string | null; closed: boolean }>();
  for (const e of invoiceEventsOf(rows, subscription_id)) {
    const cur = by.get(e.invoice_id) ?? { amount_remaining_minor: 0, failed_at: null, closed: false };
    if (e.status === 'finalized' || e.status === 'payment_failed') {
      if (!cur.closed) cur.amount_remaining_minor = e.amount_remaining_minor;
      if (e.status === 'payment_failed' && cur.failed_at === null) cur.failed_at = e.at;
    } else {
      cur.closed = true;
    }
    by.set(e.invoice_id, cur);
  }
  return [...by.entries()].filter(([, v]) => !v.closed && v.amount_remaining_minor > 0).map(([invoice_id, v]) => ({ invoice_id, amount_remaining_minor: v.amount_remaining_minor, failed_at: v.failed_at }));
}

/** Schedules that started before `at` and are not recognised to the end, with how far each got. */
export function openSchedules(rows: SubscriptionRows, at: string): Array<RevenueSchedule & { through_day: number }> {
  const through = new Map<string, number>();
  for (const r of rows.recognitions) through.set(r.schedule_id, Math.max(through.get(r.schedule_id) ?? -1, r.through_day));
  return rows.schedules.filter((s) => s.period_start < at).map((s) => ({ ...s, through_day: through.get(s.schedule_id) ?? -1 }))
    .sort((a, b) => (a.schedule_id < b.schedule_id ? -1 : a.schedule_id > b.schedule_id ? 1 : 0));
}

export function schedulesOfInvoice(rows: SubscriptionRows, invoice_id: string): RevenueSchedule[] {
  return rows.schedules.filter((s) => s.invoice_id === invoice_id);
}

export function dunningStepsOf(rows: SubscriptionRows, subscription_id: string): DunningStep[] {
  return rows.dunningSteps.filter((s) => s.subscription_id === subscription_id);
}

export function hasDunningStep(rows: SubscriptionRows, s: { subscription_id: string; episode: string; step: string }): boolean {
  return rows.dunningSteps.some((x) => x.subscription_id === s.subscription_id && x.episode === s.episode && x.step === s.step);
}

/** Episodes with a step in force and no release yet. */
export function unreleasedEpisodes(rows: SubscriptionRows, subscription_id: string): Array<{ episode: string; steps: string[] }> {
  const by = new Map<string, string[]>();
  for (const s of dunningStepsOf(rows, subscription_id)) by.set(s.episode, [...(by.get(s.episode) ?? []), s.step]);
  return [...by.entries()].filter(([, steps]) => !steps.includes('release')).map(([episode, steps]) => ({ episode, steps }));
}
