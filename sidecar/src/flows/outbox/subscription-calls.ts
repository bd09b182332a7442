import type Stripe from 'stripe';
import type { OutboxOperation } from './intents.js';

type Params = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- written by our own decision code

/** The Stripe Billing calls host-subscription decisions make, each with the intent's idempotency key. */
export async function callSubscriptionOperation(stripe: Stripe, operation: OutboxOperation, p: Params, opts: { idempotencyKey: string }): Promise<Record<string, unknown>> {
  switch (operation) {
    case 'invoice_fee':
      return (await stripe.paymentIntents.retrieve(p.payment_intent, { expand: ['latest_charge.balance_transaction'] })) as unknown as Record<string, unknown>;
    case 'invoice_pay_out_of_band':
      return (await stripe.invoices.pay(p.invoice, { paid_out_of_band: true }, opts)) as unknown as Record<string, unknown>;
    case 'subscription_update':
      return (await stripe.subscriptions.update(p.subscription, {
        items: [{ id: p.item, price: p.price }], proration_behavior: p.proration_behavior, proration_date: p.proration_date, metadata: p.metadata,
      }, opts)) as unknown as Record<string, unknown>;
    case 'subscription_cancel':
      if (p.at_period_end) return (await stripe.subscriptions.update(p.subscription, { cancel_at_period_end: true, metadata: p.metadata }, opts)) as unknown as Record<string, unknown>;
      return (await stripe.subscriptions.cancel(p.subscription, { prorate: p.prorate, invoice_now: p.prorate }, opts)) as unknown as Record<string, unknown>;
    default:
      throw new Error(`unknown outbox operation ${operation}`);
  }
}
