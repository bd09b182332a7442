/** File uploads through the real SDK (multipart, as to Stripe's files host) and dispute evidence that names them. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startStripeFake, type StripeFake } from './index.js';

let fake: StripeFake;
before(async () => {
  fake = await startStripeFake();
});
after(async () => {
  await fake.close();
});
const sdk = () => new Stripe('sk_test_fake', { ...fake.sdkOptions, maxNetworkRetries: 0 });

test('POST /v1/files: the document is stored as sent; the same idempotency key gives the same file back', async () => {
  const text = 'Strict — cancellation/strict v1 (sha256:abc…): 50% refunded ≥ 7 days before check-in.';
  const a = await sdk().files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from(text, 'utf8'), name: 'cancellation_policy.txt', type: 'text/plain' } }, { idempotencyKey: 'k-file-1' });
  assert.match(a.id, /^file_/);
  assert.equal(a.purpose, 'dispute_evidence');
  assert.equal(a.size, Buffer.byteLength(text, 'utf8'));
  assert.equal(fake.files.all.get(a.id)!.data, text);
  const again = await sdk().files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from(text, 'utf8'), name: 'cancellation_policy.txt', type: 'text/plain' } }, { idempotencyKey: 'k-file-1' });
  assert.equal(again.id, a.id);
  assert.equal(fake.files.all.size, 1);
  await assert.rejects(sdk().files.create({ purpose: 'nonsense' as never, file: { data: Buffer.from('x'), name: 'x.txt', type: 'text/plain' } }), /purpose/);
});

test('a dispute\'s document fields take file ids of dispute evidence only', async () => {
  const pi = await sdk().paymentIntents.create({ amount: 5000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
  const dp = fake.disputes.open(pi.latest_charge as string, { reason: 'credit_not_processed', amount: 5000 });
  await assert.rejects(sdk().disputes.update(dp.id, { evidence: { cancellation_policy: 'just some text' } }), /file uploaded with purpose dispute_evidence/);
  const f = await sdk().files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from('policy'), name: 'p.txt', type: 'text/plain' } });
  const ok = await sdk().disputes.update(dp.id, { evidence: { cancellation_policy: f.id, cancellation_rebuttal: 'text is text' }, submit: true });
  assert.equal(ok.evidence.cancellation_policy, f.id);
});
