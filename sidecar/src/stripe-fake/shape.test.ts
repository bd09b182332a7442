/**
 * The fake's objects have the same fields as the public fixture objects in fixtures/stripe
 * (skipped when that folder is not beside the repo).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import Stripe from 'stripe';
import { startStripeFake } from './index.js';

const FIXTURES = new URL('../../../fixtures/stripe/', import.meta.url);

async function fixtureObject(file: string): Promise<Record<string, unknown> | null> {
  try {
    const parsed = JSON.parse(await readFile(new URL(file, FIXTURES), 'utf8')) as { object: string; data?: { object: Record<string, unknown> } };
    return parsed.object === 'event' ? (parsed.data?.object ?? null) : (parsed as unknown as Record<string, unknown>);
  } catch {
    return null;
  }
}

function fields(o: object): string[] {
  return Object.keys(o).filter((k) => k !== 'lastResponse').sort();
}

test('objects carry the fixture fields', async () => {
  assert.notEqual(await fixtureObject('refund.created.json'), null, 'fixtures/stripe is in the repository');
  const fake = await startStripeFake();
  try {
    const stripe = new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0 });
    const pi = await stripe.paymentIntents.create({ amount: 10000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    const transfer = await stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_x' });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 10 });
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    const cases: Array<[string, object, string[]]> = [
      ['payment_intent.succeeded.json', pi, []],
      // `transfer` exists only on destination charges; the product uses separate charges and transfers.
      ['charge.succeeded.json', charge, ['transfer']],
      ['refund.created.json', refund, []],
      ['transfer.created.json', transfer, []],
      ['_source-objects/transfer_reversal.json', reversal, []],
      ['_source-objects/balance_transaction.json', txn, []],
    ];
    for (const [file, object, notModelled] of cases) {
      const fixture = await fixtureObject(file);
      assert.ok(fixture, file);
      assert.deepEqual(fields(object), fields(fixture).filter((k) => !notModelled.includes(k)), file);
    }
  } finally {
    await fake.close();
  }
});
