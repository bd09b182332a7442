import type { EmitInput } from '../flows/outbound/emit.js';
import type { OutboundEventType, RuleRef } from '../flows/outbound/catalogue.js';
import type { DispatchEvent, HandlerState } from './handler-shape.js';

/**
 * The outbound events of host subscriptions (contract: `subscription.past_due`,
 * `subscription.restored`), recorded as `outbound` effects with the dunning decision they announce:
 * past due when dunning takes a step against the host (payouts held or invoices offset, and again
 * when the listings become unbookable — the decision's evidence says which), restored on release.
 */
export function announceSubscription(state: HandlerState, event: DispatchEvent, x: {
  type: 'subscription.past_due' | 'subscription.restored'; occurred_at?: string; host_id: string; subscription_id: string; decision_id: string; rule: RuleRef; amount_minor: number; currency: string;
}): void {
  const input: EmitInput<'subscription.past_due'> = {
    type: 'subscription.past_due', host_id: x.host_id, occurred_at: x.occurred_at ?? event.occurred_at, inbox_id: event.id, key: x.decision_id,
    data: { rule: x.rule, decision_id: x.decision_id, entry_ids: [], amount_minor: x.amount_minor, currency: x.currency, host_id: x.host_id, subscription_id: x.subscription_id },
  };
  state.effects.add('outbound', { ...input, type: x.type } as unknown as EmitInput<OutboundEventType>);
}
