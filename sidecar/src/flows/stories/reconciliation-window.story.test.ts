/**
 * Reconciliation periods are half-open, [from, to), on both sides: a charge Stripe made at exactly
 * midnight belongs to the day it starts, not to the day it ends — in the ledger (whose occurred_at
 * is stored '…T00:00:00.000Z') as at Stripe (`created` gte/lt). Found by the simulation (seed 109):
 * the ledger compared the bound '…T00:00:00Z' as text, after '…00.000Z', and counted its fee entry in
 * the day before too (unknown_to_stripe there).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, total } from '../../testing/events.js';
import { readEntry } from '../ledger/index.js';

const MIDNIGHT_S = 1_795_046_400; // 2026-11-19T00:00:00Z, after the fixtures' balance transactions
const DAY_S = 86_400;
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

for (const dialect of dialects()) {
  describe(`reconciliation windows on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await h.engine.event(hostConnected('host_1', 'acct_1ReconWindow', '2026-09-01T09:00:00Z'));
    });
    after(async () => h?.stop());

    test('a charge (and its fee entry) at exactly midnight is in the day it starts and in no other, on both sides', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_rcw_1', payment_intent_id: 'pi_placeholder' });
      h.fake!.setNow(MIDNIGHT_S - 1); // the payment intent; its charge a second later
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_rcw_1' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      // the charge's balance transaction and its fee entry (dated by it) at exactly midnight
      const txn = h.fake!.state.balanceTransactions.get(h.fake!.state.charges.get(pi.latest_charge as string)!.balance_transaction as string)!;
      assert.equal(txn.created, MIDNIGHT_S);
      const fee = (await readEntry(h.sidecar.db, { idempotency_key: `stripe_fee:${txn.id}` }))!;
      assert.equal(fee?.occurred_at, `${iso(MIDNIGHT_S).slice(0, 19)}.000Z`, 'the entry is dated at exactly the boundary, as stored');

      const dayBefore = (await h.auditor.get(`/reconciliation?from=${iso(MIDNIGHT_S - DAY_S)}&to=${iso(MIDNIGHT_S)}`)).body;
      assert.deepEqual(dayBefore.unknown_to_stripe, [], 'the ledger does not count it in the day that ends at it');
      assert.ok(!(dayBefore.matched as Array<{ key: string }>).some((m) => m.key === `stripe_fee:${txn.id}`));

      const dayOf = await h.auditor.get(`/reconciliation?from=${iso(MIDNIGHT_S)}&to=${iso(MIDNIGHT_S + DAY_S)}`);
      assert.equal(dayOf.status, 200, dayOf.text);
      const matched = (dayOf.body.matched as Array<{ key: string }>).map((m) => m.key);
      assert.ok(matched.includes(`stripe_fee:${txn.id}`) && matched.includes(`payment:${pi.id}`), 'matched in the day it starts');
      assert.deepEqual([dayOf.body.unknown_to_stripe, dayOf.body.missing_from_ledger, dayOf.body.amount_differences], [[], [], []]);
      assert.equal(dayOf.body.ok, true);
    });
  });
}
