import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { replayHarness } from '../../testing/replay.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { balanceOf, readEntries, trialBalance } from '../ledger/index.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';
import { checkSubscriptions } from '../../sim/subscription-invariants.js';

const s = (iso: string) => Date.parse(iso) / 1000;
const transfersOf = (h: Harness, booking_id: string) => [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id);

/**
 * An offset-policy host pays an overdue renewal by card inside the grace, but Stripe's report of
 * it reaches the sidecar only after the tick past the grace: the sidecar offsets the invoice from a
 * payout and Stripe refuses the out-of-band payment (`invoice_already_paid`). The card payment is
 * the fact: the offset is undone by a new entry, the cash recognised, and what the payout deducted
 * is returned with the host's next payout — the host pays once (simulation seed 2024).
 */
for (const dialect of dialects()) {
  describe(`a subscription invoice paid by card before its offset, reported after it, on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    test('the offset is undone, the card payment recognised, and the next payout returns what was deducted', async () => {
      const fake = h.fake!;
      fake.setNow(s('2026-09-01T00:00:00Z'));
      await h.engine.event(hostConnected('host_g', 'acct_1HostG', '2026-08-30T00:00:00Z'));
      for (const [booking_id, check_in, check_out] of [['bk_g1', '2026-10-10', '2026-10-12'], ['bk_g2', '2026-10-25', '2026-10-27']] as const) {
        const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_x', host_id: 'host_g', check_in, check_out });
        ev.data.payment_intent_id = fake.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } }).id;
        await h.engine.event(ev);
      }
      const sub = fake.billing.createSubscription({ customer: 'cus_G', price: 'price_1PgafmB7WZ01zgkW6dKueIc5', metadata: { host_id: 'host_g', subscription_policy: 'offset' } });
      await h.settle();

      fake.setNow(s('2026-10-01T00:00:00Z'));
      fake.billing.failNextInvoicePayments(1);
      const renewal = fake.billing.renew(sub.id);
      await h.settle();

      // Inside the grace the host pays by card; Stripe's webhooks of it do not get through (yet).
      fake.setNow(s('2026-10-04T00:00:00Z'));
      fake.setWebhookTarget('http://127.0.0.1:9/webhooks/stripe', WEBHOOK_SECRET);
      const from = fake.state.events.length;
      fake.billing.retry(renewal.id);
      await fake.deliverAll();
      const late = fake.state.events.slice(from).map((r) => r.event);
      assert.ok(late.some((e) => e.type === 'invoice.paid'), 'the card payment was reported');
      fake.setWebhookTarget(`${h.sidecar.url}/webhooks/stripe`, WEBHOOK_SECRET);
      assert.equal(fake.billing.invoices.get(renewal.id)!.status, 'paid');

      // Past the grace, the log still shows the invoice owed: offset from bk_g1's payout.
      await h.engine.event(tick('2026-10-12T00:00:00Z'));
      await h.settle();
      const first = transfersOf(h, 'bk_g1');
      assert.equal(first.length, 1);
      assert.equal(first[0]!.metadata.offset_minor, '2000');
      const refused = fake.state.requests.filter((r) => r.path === `/v1/invoices/${renewal.id}/pay`);
      assert.ok(refused.length >= 1 && refused.every((r) => r.status === 400), 'Stripe refused to mark a paid invoice paid again');
      assert.notEqual(fake.billing.invoices.get(renewal.id)!.paid_out_of_band, true);

      // The card payment's webhooks arrive at last.
      for (const e of late) assert.equal((await postStripeWebhook(h.sidecar.url, e, WEBHOOK_SECRET)).status, 200);
      await h.settle();
      const key = (what: string) => `subscription:${sub.id}:${what}:${renewal.id}`;
      let entries = await readEntries(h.t.db);
      const offset = entries.find((e) => e.idempotency_key === key('offset'))!;
      const undone = entries.filter((e) => e.idempotency_key === key('offset_undone'));
      assert.equal(undone.length, 1, 'the offset undone once, by a new entry');
      assert.equal(undone[0]!.reverses_seq, offset.seq);
      const cash = entries.filter((e) => e.idempotency_key === key('payment'));
      assert.equal(cash.length, 1, 'the card payment recognised');
      assert.equal(cash[0]!.lines.find((l) => l.account === 'platform:stripe_balance:USD')?.amount_minor, 2000);
      assert.equal((await balanceOf(h.t.db, 'host:host_g:subscription_receivable:USD')).balance_minor, 0n);
      assert.equal((await balanceOf(h.t.db, 'host:host_g:subscription_offset_receivable:USD')).balance_minor, -2000n, 'deducted from bk_g1, owed back to the host');
      let statement = await h.reader.get('/hosts/host_g/statement');
      assert.equal(statement.body.subscription.paid_minor, 4000, 'the first invoice and the renewal, both by card');
      assert.equal(statement.body.subscription.offsets_minor, 0);
      assert.equal(statement.body.subscription.offsets_deducted_minor, 2000);

      // The next payout returns it, once.
      await h.engine.event(tick('2026-10-27T00:00:00Z'));
      await h.engine.event(tick('2026-10-28T00:00:00Z'));
      await h.settle();
      const second = transfersOf(h, 'bk_g2');
      assert.equal(second.length, 1);
      assert.equal(second[0]!.metadata.returned_minor, '2000');
      assert.equal(second[0]!.amount - first[0]!.amount, 4000, 'same share: one payout 2000 short, the next 2000 over');
      assert.equal((await balanceOf(h.t.db, 'host:host_g:subscription_offset_receivable:USD')).balance_minor, 0n);
      assert.equal((await balanceOf(h.t.db, 'host:host_g:payable:USD')).balance_minor, 0n);
      statement = await h.reader.get('/hosts/host_g/statement');
      assert.equal(statement.body.subscription.offsets_deducted_minor, 0);
      entries = await readEntries(h.t.db);
      assert.equal(entries.filter((e) => e.kind === 'subscription_offset_returned').length, 1);

      const problems: string[] = [];
      await checkSubscriptions(h.t.db, fake, problems);
      assert.deepEqual(problems, []);
      for (const r of (await trialBalance(h.t.db)).rows) assert.equal(r.debits_minor, r.credits_minor);
      assert.deepEqual((await verifyDecisions(h.t.db)).problems, []);
    });

    test('replaying the log gives the same ledger', async () => {
      const report = await replayHarness(h, dialect);
      assert.equal(report.first_difference, null);
      assert.equal(report.identical, true);
    });
  });
}
