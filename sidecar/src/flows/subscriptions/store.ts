import { canonicalJson } from '../../kernel/index.js';
import { toInt, type Db } from '../../db/connect.js';
import type { PolicyRef } from '../booking/store.js';

/** A subscription linked to its host, and the policy it is pinned to. */
export type HostSubscription = { subscription_id: string; host_id: string; customer: string; currency: string; linked_by: string; policy: PolicyRef; inbox_id: number };

/** States as NORA's subscription state machine names them (checked there before a snapshot is written). */
export type SubscriptionState = 'none' | 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'unpaid' | 'canceled' | 'paused';

export type SubscriptionSnapshot = { subscription_id: string; state: SubscriptionState; price: string; item_id: string; quantity: number; period_start: string; period_end: string; reported_at: string; inbox_id: number };

type SubRow = Omit<HostSubscription, 'policy' | 'inbox_id'> & { policy: string; inbox_id: unknown };
const subFrom = (r: SubRow): HostSubscription => ({ ...r, policy: JSON.parse(r.policy) as PolicyRef, inbox_id: toInt(r.inbox_id) });

export async function linkSubscription(db: Db, s: HostSubscription): Promise<void> {
  await db('host_subscriptions').insert({ ...s, policy: canonicalJson(s.policy) }).onConflict('subscription_id').ignore();
}

export async function subscriptionById(db: Db, subscription_id: string): Promise<HostSubscription | undefined> {
  const r = (await db('host_subscriptions').where({ subscription_id }).first()) as SubRow | undefined;
  return r ? subFrom(r) : undefined;
}

export async function subscriptionByCustomer(db: Db, customer: string): Promise<HostSubscription | undefined> {
  const r = (await db('host_subscriptions').where({ customer }).orderBy('inbox_id', 'desc').first()) as SubRow | undefined;
  return r ? subFrom(r) : undefined;
}

/** The host's subscription: the one linked last. */
export async function subscriptionOfHost(db: Db, host_id: string): Promise<HostSubscription | undefined> {
  const r = (await db('host_subscriptions').where({ host_id }).orderBy('inbox_id', 'desc').first()) as SubRow | undefined;
  return r ? subFrom(r) : undefined;
}

export async function allSubscriptions(db: Db): Promise<HostSubscription[]> {
  return ((await db('host_subscriptions').orderBy('inbox_id')) as SubRow[]).map(subFrom);
}

export async function appendSnapshot(db: Db, s: SubscriptionSnapshot): Promise<void> {
  await db('subscription_snapshots').insert(s);
}

/** The latest report of the subscription by Stripe's own time (a late, older report does not win). */
export async function currentSnapshot(db: Db, subscription_id: string): Promise<SubscriptionSnapshot | undefined> {
  const r = await db('subscription_snapshots').where({ subscription_id }).orderBy('reported_at', 'desc').orderBy('id', 'desc').first();
  return r ? { ...r, quantity: toInt(r.quantity), inbox_id: toInt(r.inbox_id) } : undefined;
}

export async function snapshots(db: Db, subscription_id: string): Promise<SubscriptionSnapshot[]> {
  const rows = await db('subscription_snapshots').where({ subscription_id }).orderBy('id');
  return rows.map((r: SubscriptionSnapshot & { quantity: unknown; inbox_id: unknown }) => ({ ...r, quantity: toInt(r.quantity), inbox_id: toInt(r.inbox_id) }));
}

export type InvoiceEventStatus = 'finalized' | 'paid' | 'payment_failed' | 'void' | 'uncollectible' | 'offset';
export type InvoiceEvent = { invoice_id: string; subscription_id: string; status: InvoiceEventStatus; amount_remaining_minor: number; at: string; inbox_id: number };

export async function appendInvoiceEvent(db: Db, e: InvoiceEvent): Promise<void> {
  await db('subscription_invoice_events').insert(e).onConflict(['invoice_id', 'status', 'inbox_id']).ignore();
}

export async function invoiceEvents(db: Db, subscription_id: string): Promise<InvoiceEvent[]> {
  const rows = await db('subscription_invoice_events').where({ subscription_id }).orderBy('id');
  return rows.map((r: InvoiceEvent & { amount_remaining_minor: unknown; inbox_id: unknown }) => ({ ...r, amount_remaining_minor: toInt(r.amount_remaining_minor), inbox_id: toInt(r.inbox_id) }));
}

/** Invoices still owed (a failure or finalization not followed by paid, void, uncollectible or offset), with when they first failed. */
export async function openInvoices(db: Db, subscription_id: string): Promise<Array<{ invoice_id: string; amount_remaining_minor: number; failed_at: string | null }>> {
  const by = new Map<string, { amount_remaining_minor: number; failed_at: string | null; closed: boolean }>();
  for (const e of await invoiceEvents(db, subscription_id)) {
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

export type RevenueSchedule = { schedule_id: string; invoice_id: string; host_id: string; currency: string; amount_minor: number; period_start: string; period_end: string; inbox_id: number };

export async function addSchedule(db: Db, s: RevenueSchedule): Promise<void> {
  await db('revenue_schedules').insert(s).onConflict('schedule_id').ignore();
}

/** Schedules not yet recognised to the end, with how far each got. */
export async function openSchedules(db: Db, at: string): Promise<Array<RevenueSchedule & { through_day: number }>> {
  const rows = await db('revenue_schedules as s')
    .leftJoin(db('revenue_recognitions').select('schedule_id').max({ through_day: 'through_day' }).groupBy('schedule_id').as('r'), 'r.schedule_id', 's.schedule_id')
    .where('s.period_start', '<', at)
    .orderBy('s.schedule_id')
    .select('s.*', 'r.through_day');
  return rows.map((r: RevenueSchedule & { amount_minor: unknown; inbox_id: unknown; through_day: unknown }) => ({
    ...r, amount_minor: toInt(r.amount_minor), inbox_id: toInt(r.inbox_id), through_day: r.through_day === null || r.through_day === undefined ? -1 : toInt(r.through_day),
  }));
}

export async function schedulesOfInvoice(db: Db, invoice_id: string): Promise<RevenueSchedule[]> {
  return ((await db('revenue_schedules').where({ invoice_id }).orderBy('schedule_id')) as Array<RevenueSchedule & { amount_minor: unknown; inbox_id: unknown }>).map((r) => ({ ...r, amount_minor: toInt(r.amount_minor), inbox_id: toInt(r.inbox_id) }));
}

export async function addRecognition(db: Db, r: { schedule_id: string; through_day: number; inbox_id: number }): Promise<void> {
  await db('revenue_recognitions').insert(r).onConflict(['schedule_id', 'through_day']).ignore();
}

export type DunningStep = { host_id: string; subscription_id: string; episode: string; step: 'hold' | 'offset' | 'unbookable' | 'release'; decision_id: string; at: string; inbox_id: number };

export async function addDunningStep(db: Db, s: DunningStep): Promise<boolean> {
  const existing = await db('dunning_steps').where({ subscription_id: s.subscription_id, episode: s.episode, step: s.step }).first('id');
  if (existing) return false;
  await db('dunning_steps').insert(s);
  return true;
}

export async function dunningSteps(db: Db, filter: { host_id?: string; subscription_id?: string }): Promise<DunningStep[]> {
  let q = db('dunning_steps').orderBy('id');
  if (filter.host_id) q = q.where({ host_id: filter.host_id });
  if (filter.subscription_id) q = q.where({ subscription_id: filter.subscription_id });
  return (await q.select('host_id', 'subscription_id', 'episode', 'step', 'decision_id', 'at', 'inbox_id')).map((r: DunningStep & { inbox_id: unknown }) => ({ ...r, inbox_id: toInt(r.inbox_id) }));
}

/** Episodes with a hold (or unbookable listings) and no release yet. */
export async function unreleasedEpisodes(db: Db, subscription_id: string): Promise<Array<{ episode: string; steps: string[] }>> {
  const by = new Map<string, string[]>();
  for (const s of await dunningSteps(db, { subscription_id })) by.set(s.episode, [...(by.get(s.episode) ?? []), s.step]);
  return [...by.entries()].filter(([, steps]) => !steps.includes('release')).map(([episode, steps]) => ({ episode, steps }));
}
