/**
 * A dispute's balance transaction as Stripe shows it — amount -X, dispute fee F, net -X-F — is
 * matched by reconciliation to the one withdrawal entry the ledger posts for it (X + F from the
 * Stripe balance): no amount difference (found by the simulation, MYBNB_SIM_DISPUTE_FEES=1).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { readEntry } from '../ledger/index.js';

const T0_S = 1_795_000_000; // after the fixtures' balance transactions
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

for (const dialect of dialects()) {
  describe(`reconciliation of a dispute with a fee on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      h.fake!.setNow(T0_S);
      await h.engine.event(hostConnected('host_1', 'acct_1ReconDispute', '2026-09-01T09:00:00Z'));
    });
    after(async () => h?.stop());

    /** A booking confirmed with its payment made at the fake. */
    const paidBooking = async (booking_id: string, at: string) => {
      const ev = confirmed(at, { booking_id, payment_intent_id: 'pi_placeholder' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      return pi;
    };

    test('the withdrawal and its dispute fee match the ledger entry that posted both', async () => {
      const pi = await paidBooking('bk_rcd_1', '2026-09-01T10:00:00Z');
      await h.engine.event(checkedIn('bk_rcd_1', '2026-10-10T14:00:00Z'));
      await h.engine.event(tick('2026-10-11T14:00:00Z'));
      await h.settle();

      const dp = h.fake!.disputes.open(pi.latest_charge as string, { amount: 5000, fee: 1500 });
      await h.settle();
      const txn = h.fake!.disputes.all.get(dp.id)!.balance_transactions[0]!;
      // the real shape: the fee on the dispute's own balance transaction, net = amount - fee
      assert.deepEqual([txn.type, txn.amount, txn.fee, txn.net], ['adjustment', -5000, 1500, -6500]);
      assert.equal(txn.fee_details[0]?.description, 'Dispute fee');
      const posted = (await readEntry(h.sidecar.db, { idempotency_key: `dispute_txn:${txn.id}` }))!;
      assert.ok(posted, 'the withdrawal is posted');
      assert.equal(posted.lines.find((l) => l.account === 'platform:stripe_balance:USD')?.amount_minor, 6500, 'amount and fee left the balance');

      const r = await h.auditor.get(`/reconciliation?from=${iso(T0_S - 60)}&to=${iso(T0_S + 86_400)}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.amount_differences, []);
      const matched = (r.body.matched as Array<{ key: string; amount_minor: number }>).find((m) => m.key === `dispute_txn:${txn.id}`);
      assert.deepEqual(matched && { key: matched.key, amount_minor: matched.amount_minor }, { key: `dispute_txn:${txn.id}`, amount_minor: 6500 });
      assert.ok(!(r.body.missing_from_ledger as Array<{ balance_transaction: string }>).some((m) => m.balance_transaction === txn.id));
    });

    test('a dispute first reported by its close is dated when Stripe withdrew the money, and matches in that window', async () => {
      const pi = await paidBooking('bk_rcd_2', '2026-09-02T10:00:00Z');
      await h.settle();
      // charge.dispute.created goes nowhere (as if Stripe's delivery were still retrying): the close reports the withdrawal first
      h.fake!.setNow(T0_S + 10 * 86_400);
      h.fake!.setWebhookTarget('http://127.0.0.1:9/webhooks/stripe', WEBHOOK_SECRET);
      const dp = h.fake!.disputes.open(pi.latest_charge as string, { amount: 4000, fee: 1500 });
      await h.fake!.deliverAll();
      h.fake!.setWebhookTarget(`${h.sidecar.url}/webhooks/stripe`, WEBHOOK_SECRET);
      const txn = h.fake!.disputes.all.get(dp.id)!.balance_transactions[0]!;
      h.fake!.setNow(T0_S + 12 * 86_400);
      h.fake!.disputes.close(dp.id, 'lost');
      await h.settle();

      const posted = (await readEntry(h.sidecar.db, { idempotency_key: `dispute_txn:${txn.id}` }))!;
      assert.ok(posted, 'the withdrawal is posted from the close');
      assert.equal(new Date(posted.occurred_at).getTime(), txn.created * 1000, 'dated at the balance transaction, two days before the close');
      // the window of the withdrawal (ending before the close): matched, nothing unknown to Stripe
      const r = await h.auditor.get(`/reconciliation?from=${iso(txn.created - 60)}&to=${iso(txn.created + 86_400)}`);
      assert.equal(r.status, 200, r.text);
      assert.ok((r.body.matched as Array<{ key: string }>).some((m) => m.key === `dispute_txn:${txn.id}`), JSON.stringify(r.body));
      assert.deepEqual(r.body.unknown_to_stripe, []);
      assert.ok(!(r.body.missing_from_ledger as Array<{ balance_transaction: string }>).some((m) => m.balance_transaction === txn.id));
    });
  });
}
