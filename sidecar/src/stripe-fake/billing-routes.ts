import type { FakeBilling } from './billing.js';
import type { Route } from './server.js';

const ID = '([A-Za-z0-9_]+)';

/** The Billing endpoints the fake answers (the sidecar's outbox and tests use these). */
export function billingRoutes(b: FakeBilling): Route[] {
  return [
    { method: 'POST', pattern: /^\/v1\/subscriptions$/, handler: (_, p, c) => b.createSubscriptionHttp(p, c) },
    { method: 'GET', pattern: new RegExp(`^/v1/subscriptions/${ID}$`), handler: (x) => b.retrieveSubscription(x[1] as string) },
    { method: 'POST', pattern: new RegExp(`^/v1/subscriptions/${ID}$`), handler: (x, p, c) => b.updateSubscription(x[1] as string, p, c) },
    { method: 'GET', pattern: new RegExp(`^/v1/invoices/${ID}$`), handler: (x) => b.retrieveInvoice(x[1] as string) },
    { method: 'POST', pattern: new RegExp(`^/v1/invoices/${ID}/pay$`), handler: (x, p, c) => b.payInvoice(x[1] as string, p, c) },
    { method: 'POST', pattern: /^\/v1\/credit_notes$/, handler: (_, p, c) => b.createCreditNote(p, c) },
    { method: 'POST', pattern: new RegExp(`^/v1/credit_notes/${ID}/void$`), handler: (x, _p, c) => b.voidCreditNote(x[1] as string, c) },
  ];
}
