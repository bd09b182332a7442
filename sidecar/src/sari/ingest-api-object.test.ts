import { test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { ingestStripeApiObject } from './ingest.js';
import type { InboxEventInput, StoreResult } from './inbox.js';

// Found by the simulation (docs/simulation.md): stripe-node 23 parses `*_decimal` fields into a
// Decimal object (BigInt inside). Every subscription and invoice the outbox got back from Stripe
// (subscription_update, subscription_cancel, invoice_pay_out_of_band) could not be logged — "Do not
// know how to serialize a BigInt" — so the intent never succeeded and was retried until exhausted.
test('an API object with Stripe Decimal fields is logged as Stripe sends it (the decimal as its string)', async () => {
  const stored: InboxEventInput[] = [];
  const store = async (input: InboxEventInput): Promise<StoreResult> => {
    stored.push(input);
    return { inbox_id: 1, duplicate: false } as StoreResult;
  };
  const subscription = {
    id: 'sub_1', object: 'subscription', created: 1_740_000_000, customer: 'cus_1',
    items: { object: 'list', data: [{ id: 'si_1', price: { id: 'price_1', unit_amount: 2000, unit_amount_decimal: Stripe.Decimal.from('2000.5') } }] },
  };
  await ingestStripeApiObject(store, subscription, '2025-02-19T21:20:00Z', Date.parse('2025-02-19T21:20:01Z'));
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.event_id, 'subscription:sub_1');
  const payload = JSON.parse(stored[0]!.payload);
  assert.equal(payload.items.data[0].price.unit_amount_decimal, '2000.5');
  assert.equal(payload.items.data[0].price.unit_amount, 2000);
});
