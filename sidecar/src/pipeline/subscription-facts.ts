import { DomainError, parseIsoUtc } from '../kernel/index.js';
import {
  currentSnapshot, invoiceEventsOf, openInvoices, snapshotsOf, subscriptionByCustomer, subscriptionById, subscriptionOfHost, unreleasedEpisodes,
  type HostSubscription, type SubscriptionRows,
} from '../flows/subscriptions/store.js';
import type { SubscriptionFacts } from '../nora/index.js';
import type { StateReads } from './handler-shape.js';
import { ParkEvent } from './context.js';
import type { SubscriptionReport } from './stripe-billing.js';

/** The subscription policy a subscription is pinned to unless its metadata names another. */
export const SUBSCRIPTION_POLICY_ID = 'standard';

/**
 * The host a subscription belongs to, never guessed: an existing link; else `metadata.host_id`
 * (a host the log knows from `host.connected`); else `metadata.host_account` (the connected
 * account a `host.connected` recorded); else the customer id of a subscription already linked.
 * A host or account not connected yet: parked `host_not_connected` (host.connected releases it);
 * no metadata and an unknown customer: dead-lettered `unknown_host`. A new link is returned with
 * `isNew` (the caller records it).
 */
export function resolveSubscriptionLink(state: StateReads, r: SubscriptionReport, inbox_id: number): { link: HostSubscription; isNew: boolean } {
  const rows = state.subscriptionRows();
  const existing = subscriptionById(rows, r.subscription_id);
  if (existing) return { link: existing, isNew: false };
  let host_id: string | undefined;
  let linked_by = '';
  if (r.metadata.host_id) {
    // The host may connect later (events arrive in any order): wait for host.connected, visibly.
    if (!state.hostConnectedAccount(r.metadata.host_id)) throw new ParkEvent('host_not_connected', `subscription ${r.subscription_id} names host ${r.metadata.host_id}, who has not connected yet (host.connected)`);
    host_id = r.metadata.host_id;
    linked_by = 'metadata.host_id';
  } else if (r.metadata.host_account) {
    host_id = state.hostOfStripeAccount(r.metadata.host_account);
    if (!host_id) throw new ParkEvent('host_not_connected', `subscription ${r.subscription_id} names connected account ${r.metadata.host_account}, which no host.connected has recorded yet`);
    linked_by = 'metadata.host_account';
  } else {
    host_id = subscriptionByCustomer(rows, r.customer)?.host_id;
    linked_by = 'customer';
  }
  if (!host_id) throw new DomainError('unknown_host', `subscription ${r.subscription_id} (customer ${r.customer}) is linked to no known host: metadata.host_id, metadata.host_account or a linked customer is required`);
  if (!/^[A-Z]{3}$/.test(r.currency)) throw new DomainError('validation_failed', `subscription ${r.subscription_id} has no currency`);
  // The platform may name another published subscription policy when it creates the subscription.
  const policy_id = r.metadata.subscription_policy ?? SUBSCRIPTION_POLICY_ID;
  const policy = state.currentPolicy('subscription', policy_id);
  if (!policy) throw new DomainError('unknown_policy', `policy subscription/${policy_id} is not published`);
  return { link: { subscription_id: r.subscription_id, host_id, customer: r.customer, currency: r.currency, linked_by, policy, inbox_id }, isNew: true };
}

/** The subscription an invoice belongs to: by its subscription id, else by its customer. */
export function subscriptionOfInvoice(rows: SubscriptionRows, x: { subscription_id: string | null; customer: string }): HostSubscription | undefined {
  if (x.subscription_id) return subscriptionById(rows, x.subscription_id);
  return subscriptionByCustomer(rows, x.customer);
}

/**
 * A subscription whose invoices the log never saw is overdue since it entered past_due or unpaid
 * (the status Stripe reports), until it leaves them.
 */
function statusOverdueSince(rows: SubscriptionRows, subscription_id: string): string | null {
  const snaps = [...snapshotsOf(rows, subscription_id)].sort((a, b) => (a.reported_at < b.reported_at ? -1 : a.reported_at > b.reported_at ? 1 : 0));
  let since: string | null = null;
  for (const s of snaps) {
    if (s.state === 'past_due' || s.state === 'unpaid') since ??= s.reported_at;
    else since = null;
  }
  return since;
}

/** One stretch of time during which the host owed an invoice whose payment had failed. */
export type OverdueEpisode = {
  /** The first failure of the episode's first invoice: the episode's key. */
  since: string;
  /** When the last of its invoices stopped being owed (paid, voided, written off, offset); null while one still is. */
  until: string | null;
  invoices: Array<{ invoice_id: string; amount_minor: number }>;
};

/**
 * The host's overdue episodes, by event time, from the invoices' facts alone — the same whatever
 * order Stripe delivered them in: each invoice is overdue from its first failed payment (the earliest
 * `invoice.payment_failed`) to its first closing (the earliest paid, void, uncollectible or offset
 * report); overlapping stretches are one episode. An invoice closed before it failed was never
 * overdue. Without any invoice in the log, Stripe's past_due / unpaid status makes the episode.
 */
export function overdueEpisodes(rows: SubscriptionRows, subscription_id: string): OverdueEpisode[] {
  const events = invoiceEventsOf(rows, subscription_id);
  if (events.length === 0) {
    const since = statusOverdueSince(rows, subscription_id);
    return since === null ? [] : [{ since, until: null, invoices: [] }];
  }
  const per = new Map<string, { failed: string | null; amount: number; closed: string | null }>();
  for (const e of events) {
    const cur = per.get(e.invoice_id) ?? { failed: null, amount: 0, closed: null };
    if (e.status === 'payment_failed') {
      if (cur.failed === null || e.at < cur.failed || (e.at === cur.failed && e.amount_remaining_minor > cur.amount)) [cur.failed, cur.amount] = [e.at, e.amount_remaining_minor];
    } else if (e.status !== 'finalized') {
      if (cur.closed === null || e.at < cur.closed) cur.closed = e.at;
    }
    per.set(e.invoice_id, cur);
  }
  const stretches = [...per.entries()]
    .filter(([, v]) => v.failed !== null && v.amount > 0 && (v.closed === null || v.failed < v.closed))
    .map(([invoice_id, v]) => ({ invoice_id, since: v.failed!, until: v.closed, amount_minor: v.amount }))
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.invoice_id < b.invoice_id ? -1 : 1));
  const episodes: OverdueEpisode[] = [];
  for (const x of stretches) {
    const last = episodes[episodes.length - 1];
    if (last && (last.until === null || x.since < last.until)) {
      last.until = last.until === null || x.until === null ? null : x.until > last.until ? x.until : last.until;
      last.invoices.push({ invoice_id: x.invoice_id, amount_minor: x.amount_minor });
    } else {
      episodes.push({ since: x.since, until: x.until, invoices: [{ invoice_id: x.invoice_id, amount_minor: x.amount_minor }] });
    }
  }
  return episodes;
}

/**
 * The subscription status the payout-hold policy reads for a host: past_due only once dunning has
 * held the host (after the grace), canceled when canceled, else active. A host with no linked
 * subscription: `legacy` (what the pre-#14 record says; null: no subscription).
 */
export function subscriptionHoldStatus(rows: SubscriptionRows, host_id: string, legacy: () => string | null): string | null {
  const sub = subscriptionOfHost(rows, host_id);
  if (!sub) return legacy();
  if (unreleasedEpisodes(rows, sub.subscription_id).some((e) => e.steps.includes('hold'))) return 'past_due';
  return currentSnapshot(rows, sub.subscription_id)?.state === 'canceled' ? 'canceled' : 'active';
}

/** NORA's view of a host's subscription. */
export function subscriptionFactsOf(rows: SubscriptionRows, sub: HostSubscription): SubscriptionFacts {
  const snap = currentSnapshot(rows, sub.subscription_id);
  if (!snap) throw new DomainError('not_found', `subscription ${sub.subscription_id} has no reported state yet`);
  return {
    host_id: sub.host_id, subscription_id: sub.subscription_id, item_id: snap.item_id, state: snap.state, currency: sub.currency, price: snap.price, quantity: snap.quantity,
    period_start_ms: parseIsoUtc(snap.period_start), period_end_ms: parseIsoUtc(snap.period_end),
    open_invoices_minor: openInvoices(rows, sub.subscription_id).reduce((a, i) => a + i.amount_remaining_minor, 0),
    payouts_held: subscriptionHoldStatus(rows, sub.host_id, () => null) === 'past_due',
  };
}

export function requireHostSubscription(rows: SubscriptionRows, host_id: string): HostSubscription {
  const sub = subscriptionOfHost(rows, host_id);
  if (!sub) throw new DomainError('unknown_host', `host ${host_id} has no subscription the log knows`, { field: 'host_id' });
  return sub;
}
