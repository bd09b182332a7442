import { DomainError, parseIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { currentPolicyVersion } from '../flows/evidence/policy-versions.js';
import { hostSubscriptionStatus } from '../flows/booking/store.js';
import {
  currentSnapshot, linkSubscription, openInvoices, snapshots, subscriptionByCustomer, subscriptionById, subscriptionOfHost, unreleasedEpisodes, invoiceEvents,
  type HostSubscription,
} from '../flows/subscriptions/store.js';
import type { SubscriptionFacts } from '../nora/index.js';
import type { SubscriptionReport } from './stripe-billing.js';

/** The subscription policy every new subscription is pinned to (its current version in the log). */
export const SUBSCRIPTION_POLICY_ID = 'standard';

async function hostKnown(db: Db, host_id: string): Promise<boolean> {
  if (await db('host_connections').where({ host_id }).first('id')) return true;
  return !!(await db('bookings').where({ host_id }).first('booking_id'));
}

/**
 * The host a subscription belongs to, never guessed: an existing link; else `metadata.host_id`
 * (a host the log knows); else `metadata.host_account` (the connected account a `host.connected`
 * recorded); else the customer id of a subscription already linked. Nothing found: `unknown_host`.
 */
export async function linkedSubscription(db: Db, r: SubscriptionReport, inbox_id: number): Promise<HostSubscription> {
  const existing = await subscriptionById(db, r.subscription_id);
  if (existing) return existing;
  let host_id: string | undefined;
  let linked_by = '';
  if (r.metadata.host_id) {
    if (!(await hostKnown(db, r.metadata.host_id))) throw new DomainError('unknown_host', `subscription ${r.subscription_id} names host ${r.metadata.host_id}, whom the log does not know`);
    host_id = r.metadata.host_id;
    linked_by = 'metadata.host_id';
  } else if (r.metadata.host_account) {
    const row = await db('host_connections').where({ stripe_account_id: r.metadata.host_account }).orderBy('id', 'desc').first('host_id');
    host_id = row?.host_id;
    linked_by = 'metadata.host_account';
  } else {
    host_id = (await subscriptionByCustomer(db, r.customer))?.host_id;
    linked_by = 'customer';
  }
  if (!host_id) throw new DomainError('unknown_host', `subscription ${r.subscription_id} (customer ${r.customer}) is linked to no known host: metadata.host_id, metadata.host_account or a linked customer is required`);
  if (!/^[A-Z]{3}$/.test(r.currency)) throw new DomainError('validation_failed', `subscription ${r.subscription_id} has no currency`);
  // The platform may name another published subscription policy when it creates the subscription.
  const policy_id = r.metadata.subscription_policy ?? SUBSCRIPTION_POLICY_ID;
  const policy = await currentPolicyVersion(db, 'subscription', policy_id);
  if (!policy) throw new DomainError('unknown_policy', `policy subscription/${policy_id} is not published`);
  const link: HostSubscription = {
    subscription_id: r.subscription_id, host_id, customer: r.customer, currency: r.currency, linked_by,
    policy: { kind: policy.kind, id: policy.id, version: policy.version, hash: policy.hash }, inbox_id,
  };
  await linkSubscription(db, link);
  return link;
}

/** The subscription an invoice belongs to: by its subscription id, else by its customer. */
export async function subscriptionOfInvoice(db: Db, x: { subscription_id: string | null; customer: string }): Promise<HostSubscription | undefined> {
  if (x.subscription_id) return subscriptionById(db, x.subscription_id);
  return subscriptionByCustomer(db, x.customer);
}

/**
 * Since when the host is overdue: the first failure of the oldest invoice still owed; a subscription
 * whose invoices the log never saw is overdue since it entered past_due or unpaid.
 */
export async function overdueSince(db: Db, subscription_id: string): Promise<string | null> {
  const open = await openInvoices(db, subscription_id);
  const failed = open.map((i) => i.failed_at).filter((x): x is string => x !== null).sort();
  if (failed.length > 0) return failed[0]!;
  if ((await invoiceEvents(db, subscription_id)).length > 0) return null;
  const snaps = (await snapshots(db, subscription_id)).sort((a, b) => (a.reported_at < b.reported_at ? -1 : a.reported_at > b.reported_at ? 1 : 0));
  let since: string | null = null;
  for (const s of snaps) {
    if (s.state === 'past_due' || s.state === 'unpaid') since ??= s.reported_at;
    else since = null;
  }
  return since;
}

/**
 * The subscription status the payout-hold policy reads for a host: past_due only once dunning
 * has held the host (after the grace), canceled when canceled, else active. A host with no linked
 * subscription: what the pre-#14 record says (null: no subscription).
 */
export async function subscriptionHoldStatus(db: Db, host_id: string, account: string | undefined): Promise<string | null> {
  const sub = await subscriptionOfHost(db, host_id);
  if (!sub) return hostSubscriptionStatus(db, account);
  if ((await unreleasedEpisodes(db, sub.subscription_id)).some((e) => e.steps.includes('hold'))) return 'past_due';
  const snap = await currentSnapshot(db, sub.subscription_id);
  return snap?.state === 'canceled' ? 'canceled' : 'active';
}

/** NORA's view of a host's subscription. */
export async function subscriptionFactsOf(db: Db, sub: HostSubscription): Promise<SubscriptionFacts> {
  const snap = await currentSnapshot(db, sub.subscription_id);
  if (!snap) throw new DomainError('not_found', `subscription ${sub.subscription_id} has no reported state yet`);
  const open = await openInvoices(db, sub.subscription_id);
  const status = await subscriptionHoldStatus(db, sub.host_id, undefined);
  return {
    host_id: sub.host_id, subscription_id: sub.subscription_id, item_id: snap.item_id, state: snap.state, currency: sub.currency, price: snap.price, quantity: snap.quantity,
    period_start_ms: parseIsoUtc(snap.period_start), period_end_ms: parseIsoUtc(snap.period_end),
    open_invoices_minor: open.reduce((a, i) => a + i.amount_remaining_minor, 0),
    payouts_held: status === 'past_due',
  };
}

export async function requireHostSubscription(db: Db, host_id: string): Promise<HostSubscription> {
  const sub = await subscriptionOfHost(db, host_id);
  if (!sub) throw new DomainError('unknown_host', `host ${host_id} has no subscription the log knows`, { field: 'host_id' });
  return sub;
}
