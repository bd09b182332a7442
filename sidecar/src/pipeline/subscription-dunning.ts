import { hashOf } from '../kernel/index.js';
import { KIND } from '../flows/vocabulary.js';
import { decisionIdFor } from '../flows/evidence/decisions.js';
import { hasDunningStep, openInvoices, unreleasedEpisodes, type DunningStep, type HostSubscription } from '../flows/subscriptions/store.js';
import { subscriptionEntry, subscriptionKey } from '../flows/subscriptions/entries.js';
import { intentIdFor } from '../flows/outbox/intents.js';
import { dunningEpisodeSteps, invoiceOffsetLines, ruleRefOf } from '../nora/index.js';
import { ref } from './context.js';
import type { DispatchEvent, HandlerState } from './handler-shape.js';
import { overdueEpisodes, type OverdueEpisode } from './subscription-facts.js';
import { announceSubscription } from './subscription-announcements.js';

/**
 * Dunning, by the subscription's pinned policy. Each overdue episode (subscription-facts.ts) calls
 * for its steps at instants fixed by the episode and the policy — past the grace, payouts held (or
 * the overdue invoices offset from the next payout and marked paid out of band through the outbox);
 * later, the listings unbookable; once the episode is over, a release of what was taken. A step is
 * taken once the log's time (this event's) has passed its instant; it is taken once per episode, its
 * decision id, evidence and announcement derive from the episode and the step, not from the event
 * that happened to find it due — so the order Stripe delivers an invoice's events in changes nothing
 * (pipeline/subscription-order.test.ts).
 */
export function reviewDunning(state: HandlerState, sub: HostSubscription, event: DispatchEvent): DunningStep['step'][] {
  const policy = state.policy(sub.policy);
  const rule = ruleRefOf(policy);
  const taken: DunningStep['step'][] = [];
  const step = (ep: { since: string; until: string | null; invoices: OverdueEpisode['invoices'] }, name: DunningStep['step'], effective_at: string, extra: Record<string, unknown>): string | null => {
    if (hasDunningStep(state.subscriptionRows(), { subscription_id: sub.subscription_id, episode: ep.since, step: name })) return null;
    const decision_id = decisionIdFor('subscription', sub.subscription_id, `dunning_${name}`, ep.since);
    state.effects.add('dunningSteps', { host_id: sub.host_id, subscription_id: sub.subscription_id, episode: ep.since, step: name, decision_id, at: effective_at, inbox_id: event.id });
    const input = { host_id: sub.host_id, subscription_id: sub.subscription_id, step: name, overdue_since: ep.since, ...(name === 'release' ? { overdue_until: ep.until } : {}), invoices: ep.invoices };
    const outcome = {
      step: name, host_id: sub.host_id, subscription_id: sub.subscription_id, episode: ep.since, effective_at, rule,
      hold_payouts: name === 'hold', offset_invoice: name === 'offset', listings_bookable: name !== 'unbookable', ...extra,
    };
    state.effects.decision({
      decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: null, action: `subscription_dunning_${name}`, actor: null,
      policy: rule.policy, policy_version: policy.version, policy_hash: policy.hash,
      input, allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: effective_at, recorded_at: event.received_at,
    });
    announceSubscription(state, event, {
      type: name === 'release' ? 'subscription.restored' : 'subscription.past_due', occurred_at: effective_at, host_id: sub.host_id, subscription_id: sub.subscription_id, decision_id, rule,
      amount_minor: name === 'release' ? 0 : ep.invoices.reduce((a, i) => a + i.amount_minor, 0), currency: sub.currency,
    });
    taken.push(name);
    return decision_id;
  };

  for (const ep of overdueEpisodes(state.subscriptionRows(), sub.subscription_id)) {
    const plan = dunningEpisodeSteps({ policy, overdue_since: ep.since, overdue_until: ep.until, at: event.occurred_at });
    for (const due of plan.due) {
      // An offset settles invoices still owed: one the log already knows was paid (or voided) is not offset.
      if (due.step === 'offset' && ep.until !== null) continue;
      const decision_id = step(ep, due.step, due.effective_at, { consequences_at: plan.consequences_at, unbookable_at: plan.unbookable_at, ...(due.step === 'offset' ? { invoices: ep.invoices } : {}) });
      if (decision_id && due.step === 'offset') offsetInvoices(state, sub, ep, decision_id, due.effective_at, event);
    }
  }
  // Episodes that are over (recomputed: an offset above ends its episode) release what they took.
  const now = overdueEpisodes(state.subscriptionRows(), sub.subscription_id);
  for (const e of unreleasedEpisodes(state.subscriptionRows(), sub.subscription_id)) {
    const ep = now.find((x) => x.since === e.episode);
    if (ep && ep.until === null) continue;
    // Not an episode any more (status-only, or its key moved): released at this event's time.
    const until = ep?.until ?? event.occurred_at;
    step({ since: e.episode, until, invoices: ep?.invoices ?? [] }, 'release', until, { released: e.steps });
  }
  return taken;
}

/** Offsets the episode's invoices from the next payout: the deduction posted, the invoice paid out of band through the outbox. */
function offsetInvoices(state: HandlerState, sub: HostSubscription, ep: OverdueEpisode, decision_id: string, at: string, event: DispatchEvent): void {
  const owed = new Map(openInvoices(state.subscriptionRows(), sub.subscription_id).map((i) => [i.invoice_id, i.amount_remaining_minor]));
  for (const x of ep.invoices) {
    const inv = { invoice_id: x.invoice_id, amount_minor: owed.get(x.invoice_id) ?? x.amount_minor };
    state.effects.post(subscriptionEntry({
      key: subscriptionKey(sub.subscription_id, 'offset', inv.invoice_id), kind: KIND.subscription_offset, host_id: sub.host_id, subscription_id: sub.subscription_id, currency: sub.currency,
      description: `Overdue invoice ${inv.invoice_id} of host ${sub.host_id}: offset from the next payout`, lines: invoiceOffsetLines(inv.amount_minor), ev: ref(event, decision_id),
      meta: { invoice_id: inv.invoice_id },
    }));
    state.effects.add('invoiceEvents', { invoice_id: inv.invoice_id, subscription_id: sub.subscription_id, status: 'offset', amount_remaining_minor: 0, at, inbox_id: event.id });
    state.effects.add('intents', {
      intent_id: intentIdFor('invoice_pay_out_of_band', `${decision_id}:${inv.invoice_id}`), decision_id, booking_id: null, operation: 'invoice_pay_out_of_band', inbox_id: event.id,
      params: { invoice: inv.invoice_id, metadata: { host_id: sub.host_id, decision_id } },
    });
  }
}
