import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { hostConnected, tick } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { balanceOf, readEntries, trialBalance, verifyLedger } from '../ledger/index.js';
import { writtenCounts } from '../../http/stripe-fixtures.test-helper.js';
import { creditNoteCreated, invoiceEvent, invoicePaymentPaid, subscriptionEvent } from './subscription-helpers.test-helper.js';

const T0 = Date.parse('2026-09-01T00:00:00Z') / 1000;
const DAY = 86_400;
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

for (const dialect of dialects()) {
  describe(`host subscriptions into the ledger on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    const send = async (e: unknown) => assert.equal((await postStripeWebhook(h.sidecar.url, e, WEBHOOK_SECRET)).status, 200);
    const bal = async (code: string) => Number((await balanceOf(h.t.db, code)).balance_minor);
    const subEntries = async (sub: string) => (await readEntries(h.t.db)).filter((e) => e.idempotency_key.startsWith(`subscription:${sub}:`));
    async function trialBalanceZero() {
      const tb = await trialBalance(h.t.db);
      for (const r of tb.rows) assert.equal(r.debits_minor, r.credits_minor, `trial balance of ${r.unit}`);
      assert.equal((await verifyLedger(h.t.db)).ok, true);
    }

    test('an invoice paid posts revenue, tax and the Stripe fee exactly once across invoice.paid, invoice_payment.paid and a duplicate', async () => {
      await h.engine.event(hostConnected('host_a', 'acct_1HostA', iso(T0 - DAY)));
      await send(subscriptionEvent('created', { sub: 'sub_A', customer: 'cus_A', host_id: 'host_a', created: T0, period: [T0, T0 + 30 * DAY] }));
      const pi = h.fake!.createPayment({ amount: 2160, currency: 'usd' });
      const paid = invoiceEvent('paid', { invoice: 'in_A1', sub: 'sub_A', customer: 'cus_A', created: T0 + 5, lines: [{ id: 'il_A1', amount: 2000, tax: 160, period: [T0, T0 + 30 * DAY] }] });
      await send(paid);
      await send(paid); // the same event redelivered
      await send({ ...structuredClone(paid), id: `${paid.id}_again` }); // the same invoice reported by another event
      await send(invoicePaymentPaid({ invoice: 'in_A1', amount: 2160, payment_intent: pi.id, created: T0 + 6 }));
      await h.settle();

      const entries = await subEntries('sub_A');
      const kinds = entries.map((e) => e.kind).sort();
      assert.deepEqual(kinds, ['stripe_fee', 'subscription_invoiced', 'subscription_payment']);
      const invoiced = entries.find((e) => e.kind === 'subscription_invoiced')!;
      assert.deepEqual(invoiced.lines.map((l) => [l.account, l.direction, l.amount_minor]), [
        ['host:host_a:subscription_receivable:USD', 'D', 2160], ['platform:subscription_revenue:USD', 'C', 2000], ['platform:taxes_payable:USD', 'C', 160],
      ]);
      const fee = entries.find((e) => e.kind === 'stripe_fee')!;
      const txn = h.fake!.state.balanceTransactions.get(String(fee.meta.balance_transaction))!;
      assert.equal(fee.lines[0]!.amount_minor, txn.fee);
      assert.equal(await bal('host:host_a:subscription_receivable:USD'), 0);
      assert.equal(await bal('platform:subscription_revenue:USD'), 2000);
      const view = await h.reader.get('/hosts/host_a/subscription');
      assert.equal(view.status, 200);
      assert.equal(view.body.state, 'active');
      assert.equal(view.body.linked_by, 'metadata.host_id');
      assert.deepEqual(view.body.invoices[0].entries.map((e: { kind: string }) => e.kind).sort(), ['stripe_fee', 'subscription_invoiced', 'subscription_payment']);
      await trialBalanceZero();
    });

    test('an annual plan is deferred and recognised day by day on clock.tick, summing exactly to the invoice', async () => {
      // An annual period wholly in the past: the sidecar refuses events from the future (#13, event time).
      const T0 = Date.parse('2025-06-01T00:00:00Z') / 1000;
      await h.engine.event(hostConnected('host_b', 'acct_1HostB', iso(T0 - DAY)));
      const end = T0 + 365 * DAY;
      await send(subscriptionEvent('created', { sub: 'sub_B', customer: 'cus_B', host_id: 'host_b', created: T0, price: 'price_HostProAnnual', period: [T0, end] }));
      await send(invoiceEvent('paid', { invoice: 'in_B1', sub: 'sub_B', customer: 'cus_B', created: T0 + 1, lines: [{ id: 'il_B1', amount: 20001, price: 'price_HostProAnnual', period: [T0, end] }] }));
      await h.settle();
      const deferred = 'platform:deferred_subscription_revenue:USD';
      assert.equal(await bal(deferred), 20001);
      assert.equal((await h.engine.event(tick(iso(T0 + DAY)))).status, 202); // day 1 ends: 20001 / 365 = 54 r 291, the first 291 days get 55
      await h.settle();
      assert.equal(await bal(deferred), 20001 - 55);
      await h.engine.event(tick(iso(T0 + DAY))); // the same instant again: nothing new
      assert.equal((await h.engine.event(tick(iso(T0 + 300 * DAY + 5)))).status, 202);
      await h.settle();
      assert.equal(await bal(deferred), 20001 - (291 * 55 + 9 * 54));
      assert.equal((await h.engine.event(tick(iso(end + 10 * DAY)))).status, 202);
      await h.settle();
      assert.equal(await bal(deferred), 0);
      const recognised = (await subEntries('sub_B')).filter((e) => e.kind === 'subscription_revenue_recognised');
      assert.equal(recognised.length, 3);
      assert.equal(recognised.reduce((a, e) => a + e.lines[0]!.amount_minor, 0), 20001);
      await trialBalanceZero();
    });

    test('a mid-period upgrade posts its proration lines as their own lines; a credit note reverses what it covers', async () => {
      await h.engine.event(hostConnected('host_c', 'acct_1HostC', iso(T0 - DAY)));
      await send(subscriptionEvent('created', { sub: 'sub_C', customer: 'cus_C', host_id: 'host_c', created: T0, period: [T0, T0 + 30 * DAY] }));
      await send(invoiceEvent('paid', { invoice: 'in_C1', sub: 'sub_C', customer: 'cus_C', created: T0 + 1, lines: [{ id: 'il_C1', amount: 2000, tax: 200, period: [T0, T0 + 30 * DAY] }] }));
      const pd = T0 + 10 * DAY;
      await send(invoiceEvent('paid', {
        invoice: 'in_C2', sub: 'sub_C', customer: 'cus_C', created: pd + 1, lines: [
          { id: 'il_C2a', amount: -1333, proration: true, period: [pd, T0 + 30 * DAY] },
          { id: 'il_C2b', amount: 3333, tax: 200, proration: true, price: 'price_HostPlusMonthly', period: [pd, T0 + 30 * DAY] },
        ],
      }));
      await h.settle();
      const upgrade = (await subEntries('sub_C')).find((e) => e.idempotency_key === 'subscription:sub_C:invoice:in_C2')!;
      assert.deepEqual(upgrade.lines.map((l) => [l.account, l.direction, l.amount_minor]), [
        ['host:host_c:subscription_receivable:USD', 'D', 2200], ['platform:subscription_proration:USD', 'D', 1333], ['platform:subscription_proration:USD', 'C', 3333], ['platform:taxes_payable:USD', 'C', 200],
      ]);
      const revenueBefore = await bal('platform:subscription_revenue:USD');
      const taxBefore = await bal('platform:taxes_payable:USD');
      await send(creditNoteCreated({ id: 'cn_C1', invoice: 'in_C1', line: 'il_C1', amount: 500, tax: 50, refund: 550, created: pd + 100 }));
      await h.settle();
      assert.equal(await bal('platform:subscription_revenue:USD'), revenueBefore - 500);
      assert.equal(await bal('platform:taxes_payable:USD'), taxBefore - 50);
      await send(creditNoteCreated({ id: 'cn_C1', invoice: 'in_C1', line: 'il_C1', amount: 500, tax: 50, refund: 550, created: pd + 200, voided: true }));
      await h.settle();
      assert.equal(await bal('platform:subscription_revenue:USD'), revenueBefore);
      await trialBalanceZero();
    });

    test('the state machine: paused, resumed, trial_will_end recorded; canceled → active refused illegal_transition; a stale report ignored', async () => {
      await h.engine.event(hostConnected('host_g', 'acct_1HostG', iso(T0 - DAY)));
      await send(subscriptionEvent('created', { sub: 'sub_G', customer: 'cus_G', host_id: 'host_g', status: 'trialing', created: T0, period: [T0, T0 + 14 * DAY] }));
      const willEnd = subscriptionEvent('updated', { sub: 'sub_G', customer: 'cus_G', status: 'trialing', created: T0 + 11 * DAY });
      willEnd.type = 'customer.subscription.trial_will_end';
      await send(willEnd);
      const paused = subscriptionEvent('updated', { sub: 'sub_G', customer: 'cus_G', status: 'paused', created: T0 + 14 * DAY });
      paused.type = 'customer.subscription.paused';
      await send(paused);
      const stale = subscriptionEvent('updated', { sub: 'sub_G', customer: 'cus_G', status: 'active', created: T0 + 12 * DAY });
      await send(stale);
      const resumed = subscriptionEvent('updated', { sub: 'sub_G', customer: 'cus_G', status: 'active', created: T0 + 16 * DAY });
      resumed.type = 'customer.subscription.resumed';
      await send(resumed);
      await send(subscriptionEvent('deleted', { sub: 'sub_G', customer: 'cus_G', created: T0 + 20 * DAY }));
      const illegal = subscriptionEvent('updated', { sub: 'sub_G', customer: 'cus_G', status: 'active', created: T0 + 21 * DAY });
      await send(illegal);
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/stripe/${willEnd.id}`)).body.code, 'trial_will_end');
      assert.equal((await h.operator.get(`/inbox/stripe/${stale.id}`)).body.code, 'stale_report');
      const refused = await h.operator.get(`/inbox/stripe/${illegal.id}`);
      assert.equal(refused.body.status, 'dead_lettered');
      assert.equal(refused.body.code, 'illegal_transition');
      assert.equal((await h.reader.get('/hosts/host_g/subscription')).body.state, 'canceled');
    });

    test('a voided invoice is reversed; an uncollectible one written off, and undone when paid after all', async () => {
      await h.engine.event(hostConnected('host_v', 'acct_1HostV', iso(T0 - DAY)));
      await send(subscriptionEvent('created', { sub: 'sub_V', customer: 'cus_V', host_id: 'host_v', created: T0, period: [T0, T0 + 30 * DAY] }));
      const line = (id: string) => [{ id, amount: 2000, period: [T0, T0 + 30 * DAY] as [number, number] }];
      await send(invoiceEvent('finalized', { invoice: 'in_V1', sub: 'sub_V', customer: 'cus_V', created: T0 + 1, lines: line('il_V1') }));
      await send(invoiceEvent('voided', { invoice: 'in_V1', sub: 'sub_V', customer: 'cus_V', created: T0 + 2, lines: line('il_V1') }));
      await send(invoiceEvent('payment_failed', { invoice: 'in_V2', sub: 'sub_V', customer: 'cus_V', created: T0 + 3, lines: line('il_V2') }));
      await send(invoiceEvent('marked_uncollectible', { invoice: 'in_V2', sub: 'sub_V', customer: 'cus_V', created: T0 + 4, lines: line('il_V2') }));
      await h.settle();
      assert.equal(await bal('host:host_v:subscription_receivable:USD'), 0);
      assert.equal(await bal('platform:subscription_bad_debt:USD'), 2000);
      await send(invoiceEvent('paid', { invoice: 'in_V2', sub: 'sub_V', customer: 'cus_V', created: T0 + 5, lines: line('il_V2') }));
      await h.settle();
      assert.equal(await bal('platform:subscription_bad_debt:USD'), 0);
      assert.equal(await bal('host:host_v:subscription_receivable:USD'), 0);
      const keys = (await subEntries('sub_V')).map((e) => e.idempotency_key.replace('subscription:sub_V:', ''));
      assert.deepEqual(keys, ['invoice:in_V1', 'void:in_V1', 'invoice:in_V2', 'uncollectible:in_V2', 'uncollectible_undone:in_V2', 'payment:in_V2']);
      const statement = await h.reader.get('/hosts/host_v/statement');
      assert.equal(statement.body.subscription.charges_minor, 2000);
      assert.equal(statement.body.subscription.paid_minor, 2000);
      assert.equal(statement.body.subscription.written_off_minor, 0);
      await trialBalanceZero();
    });

    test('unlinked subscription: dead-lettered unknown_host, visible, nothing posted; its invoice waits, parked; a host not connected yet is waited for', async () => {
      const before = await writtenCounts(h.t.db);
      const ev = subscriptionEvent('created', { sub: 'sub_X', customer: 'cus_X', created: T0 });
      await send(ev);
      const waiting = subscriptionEvent('created', { sub: 'sub_W', customer: 'cus_W', host_id: 'host_later', created: T0 });
      await send(waiting);
      await h.settle();
      const parked = await h.operator.get(`/inbox/stripe/${waiting.id}`);
      assert.equal(parked.body.status, 'parked');
      assert.equal(parked.body.code, 'host_not_connected');
      await h.engine.event(hostConnected('host_later', 'acct_1HostLater', iso(T0 + 5)));
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/stripe/${waiting.id}`)).body.status, 'processed');
      assert.equal((await h.reader.get('/hosts/host_later/subscription')).body.subscription_id, 'sub_W');
      const inv = invoiceEvent('paid', { invoice: 'in_X1', sub: 'sub_X', customer: 'cus_X', created: T0 + 1, lines: [{ id: 'il_X1', amount: 2000, period: [T0, T0 + 30 * DAY] }] });
      await send(inv);
      await h.settle();
      const status = await h.operator.get(`/inbox/stripe/${ev.id}`);
      assert.equal(status.body.status, 'dead_lettered');
      assert.equal(status.body.code, 'unknown_host');
      assert.equal((await h.operator.get(`/inbox/stripe/${inv.id}`)).body.status, 'parked');
      const afterCounts = await writtenCounts(h.t.db);
      assert.equal(afterCounts.journal_entries, before.journal_entries);
      assert.equal((await h.reader.get('/hosts/host_nobody/subscription')).status, 404);
    });

    test('an invoice with a negative amount or another currency is refused, nothing posted', async () => {
      const before = (await readEntries(h.t.db)).length;
      const neg = invoiceEvent('paid', { invoice: 'in_A_neg', sub: 'sub_A', customer: 'cus_A', created: T0 + 50, lines: [{ id: 'il_n', amount: 2000, period: [T0, T0 + 30 * DAY] }] });
      (neg.data.object as Record<string, unknown>).amount_paid = -5;
      (neg.data.object as Record<string, unknown>).amount_due = -5;
      await send(neg);
      const eur = invoiceEvent('paid', { invoice: 'in_A_eur', sub: 'sub_A', customer: 'cus_A', created: T0 + 51, lines: [{ id: 'il_e', amount: 2000, period: [T0, T0 + 30 * DAY] }] });
      (eur.data.object as Record<string, unknown>).currency = 'eur';
      await send(eur);
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/stripe/${neg.id}`)).body.code, 'amount_out_of_range');
      assert.equal((await h.operator.get(`/inbox/stripe/${eur.id}`)).body.code, 'currency_mismatch');
      assert.equal((await readEntries(h.t.db)).length, before);
    });
  });
}
