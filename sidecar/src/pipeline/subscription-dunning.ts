import { hashOf } from '../kernel/index.js';
import { KIND } from '../flows/vocabulary.js';
import { decisionIdFor } from '../flows/evidence/decisions.js';
import { currentSnapshot, hasDunningStep, openInvoices, unreleasedEpisodes, type DunningStep, type HostSubscription } from '../flows/subscriptions/store.js';
import { subscriptionEntry, subscriptionKey } from '../flows/subscriptions/entries.js';
import { intentIdFor } from '../flows/outbox/intents.js';
import { decideDunning, invoiceOffsetLines, ruleRefOf } from '../nora/index.js';
import { ref } from './context.js';
import type { DispatchEvent, HandlerState } from './handler-shape.js';
import { overdueSince } from './subscription-facts.js';
import { announceSubscription } from './subscription-announcements.js';

/**
 * Dunning, by the subscription's pinned policy, at the event's time: past the grace, payouts are
 * held (or the overdue invoices offset from the next payout and marked paid out of band through the
 * outbox); later, the listings become unbookable; once nothing is overdue, every step still in
 * force is released. Each step is taken once per overdue episode, each with its decision.
 */
export function reviewDunning(state: HandlerState, sub: HostSubscription, event: DispatchEvent): DunningStep['step'][] {
  const policy = state.policy(sub.policy);
  const rows = state.subscriptionRows();
  const since = overdueSince(rows, sub.subscription_id);
  const d = decideDunning({ policy, overdue_since: since, at: event.occurred_at });
  const taken: DunningStep['step'][] = [];
  const snap = currentSnapshot(rows, sub.subscription_id);
  const open = openInvoices(rows, sub.subscription_id);
  const step = (episode: string, name: DunningStep['step'], extra: Record<string, unknown> = {}): string | null => {
    if (hasDunningStep(state.subscriptionRows(), { subscription_id: sub.subscription_id, episode, step: name })) return null;
    const decision_id = decisionIdFor(event.source, event.event_id, `dunning_${name}`, `${sub.subscription_id}:${episode}`);
    state.effects.add('dunningSteps', { host_id: sub.host_id, subscription_id: sub.subscription_id, episode, step: name, decision_id, at: event.occurred_at, inbox_id: event.id });
    const outcome = { step: name, host_id: sub.host_id, subscription_id: sub.subscription_id, episode, ...d, ...extra };
    state.effects.decision({
      decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: null, action: `subscription_dunning_${name}`, actor: null,
      policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
      input: { host_id: sub.host_id, subscription_id: sub.subscription_id, state: snap?.state ?? null, overdue_since: since, at: event.occurred_at, open_invoices: open },
      allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
    });
    taken.push(name);
    return decision_id;
  };

  const overdue_minor = open.reduce((a, i) => a + i.amount_remaining_minor, 0);
  const announce = (type: 'subscription.past_due' | 'subscription.restored', decision_id: string) =>
    announceSubscription(state, event, { type, host_id: sub.host_id, subscription_id: sub.subscription_id, decision_id, rule: ruleRefOf(policy), amount_minor: overdue_minor, currency: sub.currency });

  if (since === null) {
    for (const e of unreleasedEpisodes(rows, sub.subscription_id)) {
      const decision_id = step(e.episode, 'release', { released: e.steps });
      if (decision_id) announce('subscription.restored', decision_id);
    }
    return taken;
  }
  if (d.hold_payouts) {
    const decision_id = step(since, 'hold');
    if (decision_id) announce('subscription.past_due', decision_id);
  }
  if (d.offset_invoice) {
    const decision_id = step(since, 'offset', { invoices: open });
    if (decision_id) announce('subscription.past_due', decision_id);
    if (decision_id) {
      for (const inv of open) {
        state.effects.post(subscriptionEntry({
          key: subscriptionKey(sub.subscription_id, 'offset', inv.invoice_id), kind: KIND.subscription_offset, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
          description: `Overdue invoice ${inv.invoice_id} of host ${sub.host_id}: offset from the next payout`, lines: invoiceOffsetLines(inv.amount_remaining_minor), ev: ref(event, decision_id),
          meta: { invoice_id: inv.invoice_id },
        }));
        state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'offset', amount_remaining_minor: 0, at: event.occurred_at, inbox_id: event.id });
        state.effects.add('intents', {
          intent_id: intentIdFor('invoice_pay_out_of_band', `${decision_id}:${inv.invoice_id}`), decision_id, booking_id: null, operation: 'invoice_pay_out_of_band', inbox_id: event.id,
          params: { invoice: inv.invoice_id, metadata: { host_id: sub.host_id, decision_id } },
        });
      }
    }
  }
  if (!d.listings_bookable) {
    const decision_id = step(since, 'unbookable');
    if (decision_id) announce('subscription.past_due', decision_id);
  }
  return taken;
}
