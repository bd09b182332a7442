/**
 * Issue #12, part 5 (the rest): platform payouts (`payout.created|paid|failed`) are posted; a
 * payout's balance transactions must sum to it; the daily run, driven by `clock.tick`, stores its
 * report append-only, raises the metric and announces each difference as `reconciliation.mismatch`
 * — and never adjusts anything. Movements outside policy (#13's suspense) are a named category.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { rekeyed, writtenCounts } from '../../http/stripe-fixtures.test-helper.js';
import { balanceOf, readEntry, trialBalance } from '../ledger/index.js';
import { reconciliationIntentId } from '../../pipeline/reconciliation-clock.js';

const DAY = '2026-11-20';
const T0_S = Date.parse(`${DAY}T08:00:00Z`) / 1000;
const AT = `${DAY}T07:00:00Z`;
const STAY = { check_in: '2026-12-20', check_out: '2026-12-23' }; // no payout falls due at the ticks below

for (const dialect of dialects()) {
  describe(`daily reconciliation and platform payouts on ${dialect}`, () => {
    let h: Harness;
    let stripe: Stripe;
    const paid = async (booking_id: string) => {
      const ev = confirmed(AT, { booking_id, payment_intent_id: 'pi_placeholder', ...STAY });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
      assert.equal((await h.reader.get(`/bookings/${booking_id}`)).body.state, 'paid');
      const charge = h.fake!.state.charges.get(pi.latest_charge as string)!;
      return { ev, pi, txn: h.fake!.state.balanceTransactions.get(charge.balance_transaction as string)! };
    };
    const balance = async (account: string) => {
      const b = await balanceOf(h.sidecar.db, account).catch(() => null);
      return b ? Number(b.debits_minor - b.credits_minor) : 0;
    };

    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      h.fake!.setNow(T0_S);
      const api = new URL(h.fake!.url);
      stripe = new Stripe('sk_test_dashboard', { host: api.hostname, port: Number(api.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
      await h.engine.event(hostConnected('host_1', 'acct_1DailyHost', AT));
    });
    after(async () => h?.stop());

    let payoutShort = '';
    let missingTxn = '';
    let dashboardRefund = '';
    let piA = '';

    test('platform payouts: created → in transit, paid → the bank, failed → back to the Stripe balance; a host\'s own payout is not ours', async () => {
      const a = await paid('bk_daily_a');
      piA = a.pi.id;
      const po = h.fake!.payouts.create({ currency: 'usd', include: [a.txn.id] });
      assert.equal(po.amount, a.txn.net);
      await h.settle();
      const created = (await readEntry(h.sidecar.db, { idempotency_key: `payout:${po.id}` }))!;
      assert.ok(created, 'payout.created posts');
      assert.deepEqual(created.lines.map((l) => [l.account, l.direction, l.amount_minor]), [['platform:payouts_in_transit:USD', 'D', po.amount], ['platform:stripe_balance:USD', 'C', po.amount]]);
      h.fake!.payouts.pay(po.id);
      await h.settle();
      assert.ok(await readEntry(h.sidecar.db, { idempotency_key: `payout_paid:${po.id}` }));
      assert.equal(await balance('platform:bank:USD'), po.amount);
      assert.equal(await balance('platform:payouts_in_transit:USD'), 0);

      const d = await paid('bk_daily_d');
      const bankBefore = await balance('platform:bank:USD');
      const stripeBefore = await balance('platform:stripe_balance:USD');
      const failed = h.fake!.payouts.create({ currency: 'usd', include: [d.txn.id] });
      h.fake!.payouts.fail(failed.id);
      await h.settle();
      assert.ok(await readEntry(h.sidecar.db, { idempotency_key: `payout_failed:${failed.id}` }));
      assert.equal(await balance('platform:stripe_balance:USD'), stripeBefore, 'the failed payout came back');
      assert.equal(await balance('platform:payouts_in_transit:USD'), 0);
      assert.equal(await balance('platform:bank:USD'), bankBefore, 'nothing arrived');

      // a payout Stripe made for more than the transactions it paid out
      const e = await paid('bk_daily_e');
      const short = h.fake!.payouts.create({ currency: 'usd', include: [e.txn.id], amount: e.txn.net + 100 });
      h.fake!.payouts.pay(short.id);
      payoutShort = short.id;
      await h.settle();

      // the captured fixture is a connected account's payout (event.account set): the host's money, ignored
      const host = rekeyed('payout.paid');
      const r = await postStripeWebhook(h.sidecar.url, host, WEBHOOK_SECRET);
      assert.equal(r.status, 200, r.text);
      await h.settle();
      const status = await h.operator.get(`/inbox/stripe/${r.body.event_id}`);
      assert.deepEqual([status.body.status, status.body.code], ['ignored', 'connected_account_payout']);
      assert.ok(!(await readEntry(h.sidecar.db, { idempotency_key: `payout:${(host.data.object as { id: string }).id}` })), 'nothing posted');
      // a platform payout event with a bad amount: refused at the door (#13's edge rules), problem+json, nothing written
      const written = await writtenCounts(h.sidecar.db);
      const bad = rekeyed('payout.paid');
      delete (bad as { account?: string }).account;
      Object.assign(bad.data.object, { id: 'po_1BadPayout', amount: '8500' });
      const br = await postStripeWebhook(h.sidecar.url, bad, WEBHOOK_SECRET);
      assert.equal(br.status, 422, br.text);
      assert.equal(br.body.code, 'validation_failed');
      assert.match(br.headers.get('content-type') ?? '', /application\/problem\+json/);
      await h.settle();
      assert.deepEqual(await writtenCounts(h.sidecar.db), written);
      for (const row of (await trialBalance(h.sidecar.db)).rows) assert.equal(row.debits_minor, row.credits_minor, `balanced in ${row.unit}`);
    });

    test('a payout\'s balance transactions must sum to it: the difference is named; suspense rows are their own category', async () => {
      // a payment whose webhook never arrives, and a refund made in the Dashboard (outside policy)
      const b = confirmed(AT, { booking_id: 'bk_daily_b', payment_intent_id: 'pi_placeholder', ...STAY });
      h.fake!.setWebhookTarget('http://127.0.0.1:9/nowhere', WEBHOOK_SECRET);
      const piB = h.fake!.createPayment({ amount: total(b.data), currency: 'usd', metadata: { booking_id: 'bk_daily_b' } });
      await h.fake!.deliverAll();
      h.fake!.setWebhookTarget(`${h.sidecar.url}/webhooks/stripe`, WEBHOOK_SECRET);
      missingTxn = h.fake!.state.charges.get(piB.latest_charge as string)!.balance_transaction as string;
      dashboardRefund = (await stripe.refunds.create({ payment_intent: piA, amount: 2500 })).id;
      await h.settle();

      const r = await h.auditor.get(`/reconciliation?from=${DAY}&to=2026-11-21`);
      assert.equal(r.status, 200, r.text);
      const rep = r.body;
      assert.deepEqual(rep.payout_differences, [{ payout: payoutShort, payout_minor: h.fake!.payouts.get(payoutShort).amount, transactions_minor: h.fake!.payouts.get(payoutShort).amount - 100, difference_minor: 100, currency: 'USD', transactions: 1 }]);
      const outside = rep.outside_policy as Array<{ object_id: string; amount_minor: number; balance_transaction: string | null; direction: string }>;
      assert.equal(outside.length, 1);
      assert.deepEqual([outside[0]!.object_id, outside[0]!.amount_minor, outside[0]!.direction], [dashboardRefund, 2500, 'out']);
      assert.equal(outside[0]!.balance_transaction, h.fake!.state.refunds.get(dashboardRefund)!.balance_transaction, 'matched to its Stripe movement, not a difference');
      assert.deepEqual((rep.missing_from_ledger as Array<{ balance_transaction: string }>).map((m) => m.balance_transaction).sort(), [missingTxn, missingTxn], 'the payment and its fee');
      assert.deepEqual(rep.unknown_to_stripe, []);
      assert.deepEqual(rep.amount_differences, []);
      const keys = (rep.matched as Array<{ key: string }>).map((m) => m.key);
      for (const k of keys.filter((x) => x.startsWith('payout'))) assert.match(k, /^payout(_failed)?:po_/);
      assert.equal(keys.filter((k) => k.startsWith('payout:')).length, 3, 'the three payouts matched');
      assert.equal(keys.filter((k) => k.startsWith('payout_failed:')).length, 1, 'the failed payout\'s return matched');
    });

    test('the daily run: the first tick of a day reconciles the day before once, stores the report append-only, raises the metric and announces each difference; nothing is adjusted', async () => {
      const entriesBefore = (await writtenCounts(h.sidecar.db)).journal_entries;
      await h.engine.event(tick('2026-11-21T00:05:00Z'));
      await h.settle();
      await h.engine.event(tick('2026-11-21T06:05:00Z')); // the same day again: no second run
      await h.settle();
      const intents = await h.sidecar.db('outbox_intents').where({ operation: 'reconcile_day' });
      assert.deepEqual(intents.map((i: { intent_id: string }) => i.intent_id), [reconciliationIntentId(DAY)]);
      const reports = await h.sidecar.db('reconciliation_reports');
      assert.equal(reports.length, 1);
      const row = reports[0] as { report_id: string; ok: unknown; differences: unknown; counts: string; report: string; period_from: string; period_to: string };
      assert.deepEqual([row.report_id, Boolean(row.ok), Number(row.differences), row.period_from, row.period_to], [DAY, false, 3, `${DAY}T00:00:00Z`, '2026-11-21T00:00:00Z']);
      assert.deepEqual(JSON.parse(row.counts), { amount_differences: 0, matched: JSON.parse(row.report).matched_count, missing_from_ledger: 2, outside_policy: 1, payout_differences: 1, unknown_to_stripe: 0 });
      assert.equal((await writtenCounts(h.sidecar.db)).journal_entries, entriesBefore, 'never an adjustment');
      await assert.rejects(h.t.admin('reconciliation_reports').where({ report_id: DAY }).update({ ok: true }), /append-only/);

      const mismatches = (await h.sidecar.db('outbound_events').where({ type: 'reconciliation.mismatch' }).orderBy('seq')).map((e: { body: string; stream_key: string }) => ({ ...JSON.parse(e.body), stream_key: e.stream_key }));
      assert.equal(mismatches.length, 3);
      assert.ok(mismatches.every((m) => m.stream_key === 'platform' && m.booking_id === undefined));
      assert.deepEqual(mismatches.map((m) => m.seq), [1, 2, 3]);
      const payout = mismatches.find((m) => m.data.difference === 'payout_differences')!;
      assert.deepEqual([payout.data.object_id, payout.data.amount_minor, payout.data.currency], [payoutShort, 100, 'USD']);
      const missing = mismatches.filter((m) => m.data.difference === 'missing_from_ledger');
      assert.ok(missing.every((m) => m.data.object_id === missingTxn && m.data.ledger_amount_minor === null));

      const metrics = await h.operator.get('/metrics');
      assert.match(metrics.text, /mybnb_reconciliation_differences\{kind="missing_from_ledger"\} 2/);
      assert.match(metrics.text, /mybnb_reconciliation_differences\{kind="payout_differences"\} 1/);
      assert.match(metrics.text, /mybnb_reconciliation_differences\{kind="unknown_to_stripe"\} 0/);
    });

    test('days without a tick are caught up by the next tick, each run and stored once, under duplicate and older ticks', async () => {
      // 11-21 … 11-24 had no tick (the clock was off); the tick of 11-25 asks for all four
      const late = tick('2026-11-25T09:00:00Z');
      await h.engine.event(late);
      await h.engine.event({ ...late }); // the same tick delivered again
      await h.engine.event(tick('2026-11-25T09:30:00Z'));
      await h.engine.event(tick('2026-11-23T12:00:00Z')); // an older tick: those days are asked for already
      await h.settle();
      const intents = (await h.sidecar.db('outbox_intents').where({ operation: 'reconcile_day' }).orderBy('intent_id')) as Array<{ intent_id: string; params: unknown }>;
      const caught = ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24'];
      assert.deepEqual(intents.map((i) => i.intent_id), [DAY, ...caught].map(reconciliationIntentId));
      assert.deepEqual(typeof intents[1]!.params === 'string' ? JSON.parse(intents[1]!.params) : intents[1]!.params, { day: '2026-11-21', from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' });
      const reports = (await h.sidecar.db('reconciliation_reports').orderBy('report_id')) as Array<{ report_id: string; period_from: string; period_to: string }>;
      assert.deepEqual(reports.map((r) => r.report_id), [DAY, ...caught], 'each day stored once');
      for (const r of reports) assert.equal(Date.parse(r.period_to) - Date.parse(r.period_from), 86_400_000);
    });
  });
}
