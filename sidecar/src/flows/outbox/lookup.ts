import type Stripe from 'stripe';
import type { IntentStatus } from './intents.js';

/**
 * Past Stripe's 24 h idempotency-key lifetime the same key no longer protects a retry: before
 * calling again, look for an object this decision already made (our `decision_id` in its
 * metadata) among the refunds of the payment intent, the transfers of the transfer group or the
 * reversals of the transfer. Pages through every result.
 */
export async function findExistingObject(stripe: Stripe, intent: IntentStatus): Promise<Record<string, unknown> | null> {
  const p = intent.params as Record<string, string>;
  const mine = (o: { metadata?: Stripe.Metadata | null }) => o.metadata?.decision_id === intent.decision_id;
  const first = async <T extends { metadata?: Stripe.Metadata | null }>(list: AsyncIterable<T>): Promise<Record<string, unknown> | null> => {
    for await (const o of list) if (mine(o)) return o as unknown as Record<string, unknown>;
    return null;
  };
  switch (intent.operation) {
    case 'refund':
      return first(stripe.refunds.list({ payment_intent: p.payment_intent!, limit: 100 }));
    case 'transfer':
      return first(stripe.transfers.list({ transfer_group: p.transfer_group!, limit: 100 }));
    case 'transfer_reversal':
      return first(stripe.transfers.listReversals(p.transfer_id!, { limit: 100 }));
    case 'balance_transaction':
    case 'dispute_evidence':
      return null; // a read, or an update Stripe refuses once submitted: asking again never pays twice
    // host subscriptions (#14): a read, or a change of state Stripe applies once (an invoice paid
    // out of band is refused the second time, an update to the same price changes nothing)
    case 'reconcile_day': // reads only
    case 'invoice_fee':
    case 'invoice_pay_out_of_band':
    case 'subscription_update':
    case 'subscription_cancel':
      return null;
  }
}
