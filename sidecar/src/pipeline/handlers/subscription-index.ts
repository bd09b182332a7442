import type { DecisionHandler } from '../handler-shape.js';
import { onCreditNote, onInvoice, onInvoicePayment, onInvoicePaymentIntent } from './invoice.js';
import { onSubscriptionReport } from './subscription.js';
import { onSubscriptionCancelRequested, onSubscriptionChangeRequested } from './subscription-requests.js';

/** Host subscriptions (#14): Stripe Billing events and the booking engine's requests. */
export const SUBSCRIPTION_HANDLERS: Record<string, DecisionHandler> = {
  ...Object.fromEntries(['created', 'updated', 'deleted', 'paused', 'resumed', 'trial_will_end'].map((t) => [`stripe:customer.subscription.${t}`, onSubscriptionReport])),
  ...Object.fromEntries(['created', 'finalized', 'paid', 'payment_failed', 'voided', 'marked_uncollectible'].map((t) => [`stripe:invoice.${t}`, onInvoice])),
  'stripe:invoice_payment.paid': onInvoicePayment,
  'stripe:credit_note.created': onCreditNote,
  'stripe:credit_note.voided': onCreditNote,
  'stripe_api:invoice': onInvoice,
  'stripe_api:payment_intent': onInvoicePaymentIntent,
  'booking:subscription.cancel_requested': onSubscriptionCancelRequested,
  'booking:subscription.change_requested': onSubscriptionChangeRequested,
};
