/**
 * Issue #12, part 5 (first slice): reconciliation with Stripe. One webhook deliberately never
 * delivered → the report names the missing event and its amount; everything else is matched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, total } from '../../testing/events.js';
import { writtenCounts } from '../../http/stripe-fixtures.test-helper.js';
import { settleChargeIn } from '../../stripe-fake/fx.js';
import { readEntry, trialBalance } from '../ledger/index.js';
import { cancelWithConsent } from '../../pipeline/scenario.test-helper.js';

const T0_S = 1_795_000_000; // after the fixtures' balance transactions
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

for (const dialect of dialects()) {
  describe(`reconciliation on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      h.fake!.setNow(T0_S);
      await h.engine.event(hostConnected('host_1', 'acct_1ReconHost', '2026-09-01T09:00:00Z'));
    });
    after(async () => h?.stop());

    test('one webhook never delivered and one FX charge: the missing event is named with its amount, the rest matched, the FX difference posted and balanced', async () => {
      const a = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_rc_a', payment_intent_id: 'pi_placeholder' });
      const piA = h.fake!.createPayment({ amount: total(a.data), currency: 'usd', metadata: { booking_id: 'bk_rc_a' } });
      a.data.payment_intent_id = piA.id;
      await h.engine.event(a);
      await h.settle();
      assert.equal((await h.reader.get('/bookings/bk_rc_a')).body.state, 'paid');

      const b = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_rc_b', payment_intent_id: 'pi_placeholder', nightly_total: 20000 });
      h.fake!.setWebhookTarget('http://127.0.0.1:9/nowhere', WEBHOOK_SECRET); // delivery fails and gives up
      const piB = h.fake!.createPayment({ amount: total(b.data), currency: 'usd', metadata: { booking_id: 'bk_rc_b' } });
      await h.fake!.deliverAll();
      h.fake!.setWebhookTarget(`${h.sidecar.url}/webhooks/stripe`, WEBHOOK_SECRET);
      b.data.payment_intent_id = piB.id;
      await h.engine.event(b);
      await h.settle();
      assert.equal((await h.reader.get('/bookings/bk_rc_b')).body.state, 'awaiting_payment', 'the payment never reached us');

      // a guest paying in EUR, settled by Stripe in USD at 1.1
      const c = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_rc_fx', payment_intent_id: 'pi_placeholder', currency: 'EUR' });
      const piC = h.fake!.createPayment({ amount: total(c.data), currency: 'eur', metadata: { booking_id: 'bk_rc_fx' } });
      const fxTxn = settleChargeIn(h.fake!.state, piC.latest_charge as string, 'usd', 1.1);
      c.data.payment_intent_id = piC.id;
      await h.engine.event(c);
      await h.settle();
      assert.equal((await h.reader.get('/bookings/bk_rc_fx')).body.state, 'paid');
      const fx = (await readEntry(h.sidecar.db, { idempotency_key: `fx_conversion:${fxTxn.id}` }))!;
      assert.ok(fx, 'the conversion is posted');
      assert.equal(fx.meta.exchange_rate, 1.1);
      const leg = (account: string) => fx.lines.find((l) => l.account === account)!;
      assert.equal(leg('platform:stripe_balance:EUR').amount_minor, total(c.data));
      assert.equal(leg('platform:fx_conversion:EUR').amount_minor, total(c.data));
      assert.equal(leg('platform:stripe_balance:USD').amount_minor, Math.round(total(c.data) * 1.1));
      assert.equal(leg('platform:fx_conversion:USD').amount_minor, Math.round(total(c.data) * 1.1));
      const fxFee = (await readEntry(h.sidecar.db, { idempotency_key: `stripe_fee:${fxTxn.id}` }))!;
      assert.equal(fxFee.lines[0]!.unit, 'USD', 'the fee in the settlement currency');
      assert.equal(fxFee.lines[0]!.amount_minor, fxTxn.fee);
      for (const row of (await trialBalance(h.sidecar.db)).rows) assert.equal(row.debits_minor, row.credits_minor, `balanced in ${row.unit}`);

      const from = iso(T0_S - 60);
      const to = iso(T0_S + 86_400);
      const r = await h.auditor.get(`/reconciliation?from=${from}&to=${to}`);
      assert.equal(r.status, 200, r.text);
      const rep = r.body;
      assert.equal(rep.ok, false);
      const missing = rep.missing_from_ledger as Array<{ key: string; amount_minor: number; explained_by: string; type: string }>;
      const pay = missing.find((m) => m.key === `payment:${piB.id}`)!;
      assert.ok(pay, JSON.stringify(missing));
      assert.equal(pay.amount_minor, total(b.data));
      assert.match(pay.explained_by, new RegExp(`payment_intent\\.succeeded for ${piB.id}`));
      const fee = missing.find((m) => m.key.startsWith('stripe_fee:'))!;
      assert.match(fee.explained_by, /charge\.succeeded/);
      assert.equal(missing.length, 2, 'only the undelivered payment and its fee');
      const matchedKeys = (rep.matched as Array<{ key: string }>).map((m) => m.key);
      assert.ok(matchedKeys.includes(`payment:${piA.id}`));
      assert.ok(matchedKeys.some((k) => k.startsWith('stripe_fee:')));
      assert.ok(matchedKeys.includes(`fx_conversion:${fxTxn.id}`));
      assert.ok(matchedKeys.includes(`payment:${piC.id}`));
      assert.ok(matchedKeys.includes(`stripe_fee:${fxTxn.id}`));
      assert.deepEqual(rep.unknown_to_stripe, []);
      assert.deepEqual(rep.amount_differences, []);
    });

    test('an FX charge refunded in part: the refund converted back at Stripe\'s rate, matched, no amount difference, balanced', async () => {
      const c = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_rc_fxr', payment_intent_id: 'pi_placeholder', currency: 'EUR', cancellation_policy: 'strict', check_in: '2026-12-20', check_out: '2026-12-23' });
      const pi = h.fake!.createPayment({ amount: total(c.data), currency: 'eur', metadata: { booking_id: 'bk_rc_fxr' } });
      settleChargeIn(h.fake!.state, pi.latest_charge as string, 'usd', 1.1);
      c.data.payment_intent_id = pi.id;
      await h.engine.event(c);
      // The charge's own conversion comes from an outbox lookup of its balance transaction, which may
      // not be due on the first pass; this story is about a refund of a converted charge (a refund that
      // overtakes the lookup is the documented gap, docs/deviations.md #12), so it waits for it.
      const chargeTxn = h.fake!.state.charges.get(pi.latest_charge as string)?.balance_transaction as string;
      for (let i = 0; i < 50 && !(await readEntry(h.sidecar.db, { idempotency_key: `fx_conversion:${chargeTxn}` })); i++) {
        await h.settle();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(await readEntry(h.sidecar.db, { idempotency_key: `fx_conversion:${chargeTxn}` }), 'the charge\'s conversion is posted first');
      const cancel = await cancelWithConsent(h, 'bk_rc_fxr', 'guest_fxr', '2026-09-05T08:00:00Z');
      assert.equal((await h.engine.event(cancel as never)).status, 202);
      await h.settle();
      const refund = [...h.fake!.state.refunds.values()].find((r) => r.payment_intent === pi.id)!;
      assert.ok(refund, 'refunded');
      assert.ok(refund.amount > 0 && refund.amount < total(c.data), `a partial refund (${refund.amount} of ${total(c.data)})`);
      const txn = h.fake!.state.balanceTransactions.get(refund.balance_transaction as string)!;
      assert.equal(txn.currency, 'usd');
      assert.equal(txn.amount, -Math.round(refund.amount * 1.1));
      // The refund's conversion is an outbox lookup too: settle until it is due and made.
      for (let i = 0; i < 50 && !(await readEntry(h.sidecar.db, { idempotency_key: `fx_conversion:${txn.id}` })); i++) {
        await h.settle();
        await new Promise((r) => setTimeout(r, 100));
      }
      const fx = (await readEntry(h.sidecar.db, { idempotency_key: `fx_conversion:${txn.id}` }))!;
      assert.ok(fx, 'the refund\'s conversion is posted');
      const leg = (account: string, direction: string) => fx.lines.find((l) => l.account === account && l.direction === direction)?.amount_minor;
      assert.equal(leg('platform:stripe_balance:EUR', 'D'), refund.amount, 'the EUR the refund took from the balance comes back…');
      assert.equal(leg('platform:stripe_balance:USD', 'C'), Math.round(refund.amount * 1.1), '…as the USD Stripe took');
      for (const row of (await trialBalance(h.sidecar.db)).rows) assert.equal(row.debits_minor, row.credits_minor, `balanced in ${row.unit}`);

      const r = await h.auditor.get(`/reconciliation?from=${iso(T0_S - 60)}&to=${iso(T0_S + 86_400)}`);
      assert.equal(r.status, 200, r.text);
      const matched = (r.body.matched as Array<{ key: string }>).map((m) => m.key);
      assert.ok(matched.includes(`refund:${refund.id}`));
      assert.ok(matched.includes(`fx_conversion:${txn.id}`));
      assert.deepEqual(r.body.amount_differences, []);
      assert.deepEqual(r.body.unknown_to_stripe, []);
      assert.ok(!(r.body.missing_from_ledger as Array<{ balance_transaction: string }>).some((m) => m.balance_transaction === txn.id));
    });

    test('bad periods answer problem+json and write nothing; the read is signed', async () => {
      const before = await writtenCounts(h.sidecar.db);
      for (const q of ['from=yesterday&to=2026-12-01', 'from=2026-12-01', 'from=2026-12-02&to=2026-12-01', 'from=2026-01-01&to=2026-12-01', 'from=2026-12-01&to=2026-12-02&extra=1']) {
        const r = await h.auditor.get(`/reconciliation?${q}`);
        assert.equal(r.status, 422, `${q}: ${r.text}`);
        assert.equal(r.body.code, 'validation_failed');
        assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      assert.equal((await fetch(`${h.sidecar.url}/reconciliation?from=2026-12-01&to=2026-12-02`)).status, 401);
      assert.deepEqual(await writtenCounts(h.sidecar.db), before);
    });
  });
}
