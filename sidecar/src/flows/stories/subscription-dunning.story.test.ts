import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { replayHarness } from '../../testing/replay.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, eventId, hostConnected, tick, total } from '../../testing/events.js';
import { writtenCounts } from '../../http/stripe-fixtures.test-helper.js';
import { readEntries, trialBalance } from '../ledger/index.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';

const s = (iso: string) => Date.parse(iso) / 1000;
const transfersOf = (h: Harness, booking_id: string) => [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id);
// Calls Stripe performed (an outbox retry under load replays the same object: not a second call).
const subscriptionPosts = (h: Harness) => h.fake!.state.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/subscriptions/') && r.status === 200 && !r.replayed);
const change = (host_id: string, price: string, outcome_hash: string, occurred_at: string) => ({
  id: eventId('sub'), type: 'subscription.change_requested', occurred_at, data: { host_id, price, consent: { outcome_hash, actor: host_id, consented_at: occurred_at } },
});

for (const dialect of dialects()) {
  describe(`subscription dunning, plan changes and cancellation on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    test('invoice fails → past_due → grace → payouts held → invoice paid → released, once each, with evidence', async () => {
      h.fake!.setNow(s('2026-09-01T00:00:00Z'));
      await h.engine.event(hostConnected('host_d', 'acct_1HostD', '2026-08-30T00:00:00Z'));
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_dun', payment_intent_id: 'pi_x', host_id: 'host_d', check_in: '2026-10-10', check_out: '2026-10-12' });
      ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_dun' } }).id;
      await h.engine.event(ev);
      const sub = h.fake!.billing.createSubscription({ customer: 'cus_D', price: 'price_1PgafmB7WZ01zgkW6dKueIc5', metadata: { host_id: 'host_d' } });
      await h.settle();

      h.fake!.setNow(s('2026-10-01T00:00:00Z'));
      h.fake!.billing.failNextInvoicePayments(1);
      const renewal = h.fake!.billing.renew(sub.id);
      await h.settle();
      let view = await h.reader.get('/hosts/host_d/subscription');
      assert.equal(view.body.state, 'past_due');
      assert.equal(view.body.open_invoices[0].invoice_id, renewal.id);

      await h.engine.event(tick('2026-10-07T00:00:00Z')); // within the 7-day grace
      await h.settle();
      assert.equal((await h.reader.get('/hosts/host_d/subscription')).body.holds.length, 0);

      await h.engine.event(tick('2026-10-12T00:00:00Z')); // grace over; the booking's payout is due (check-in 10-10 15:00 Paris + 24 h)
      await h.settle();
      const booking = await h.reader.get('/bookings/bk_dun');
      assert.equal(booking.body.next_step.held.code, 'subscription_past_due');
      assert.equal(transfersOf(h, 'bk_dun').length, 0);
      view = await h.reader.get('/hosts/host_d/subscription');
      assert.deepEqual(view.body.holds.map((x: { step: string }) => x.step), ['hold']);
      const hold = await h.auditor.get(`/evidence/${view.body.holds[0].decision_id}`);
      assert.equal(hold.body.action, 'subscription_dunning_hold');
      assert.equal(hold.body.policy, 'subscription/standard');
      assert.equal(hold.body.outcome.hold_payouts, true);

      h.fake!.setNow(s('2026-10-12T06:00:00Z'));
      h.fake!.billing.retry(renewal.id);
      await h.settle();
      await h.engine.event(tick('2026-10-12T12:00:00Z'));
      await h.engine.event(tick('2026-10-13T12:00:00Z'));
      await h.settle();
      view = await h.reader.get('/hosts/host_d/subscription');
      assert.equal(view.body.state, 'active');
      assert.deepEqual(view.body.holds.map((x: { step: string }) => x.step), ['hold', 'release']);
      const release = await h.auditor.get(`/evidence/${view.body.holds[1].decision_id}`);
      assert.equal(release.body.action, 'subscription_dunning_release');
      assert.equal(transfersOf(h, 'bk_dun').length, 1, 'released: the payout went out, once');
      assert.equal((await h.reader.get('/bookings/bk_dun')).body.state, 'paid_out');
      // announced to the booking engine (contract outbound events), once each
      const outbound = (await h.t.db('outbound_events').where({ host_id: 'host_d' }).orderBy('id').select('type', 'body')) as Array<{ type: string; body: string }>;
      assert.deepEqual(outbound.filter((o) => o.type.startsWith('subscription.')).map((o) => o.type), ['subscription.past_due', 'subscription.restored']);
      assert.equal(JSON.parse(outbound.find((o) => o.type === 'subscription.past_due')!.body).data.decision_id, view.body.holds[0].decision_id);
      const payments = (await readEntries(h.t.db)).filter((e) => e.idempotency_key === `subscription:${sub.id}:payment:${renewal.id}`);
      assert.equal(payments.length, 1);
      for (const r of (await trialBalance(h.t.db)).rows) assert.equal(r.debits_minor, r.credits_minor);
    });

    test('offset policy: the overdue invoice is marked paid out of band through the outbox and deducted from the next payout, once', async () => {
      h.fake!.setNow(s('2026-09-01T00:00:00Z'));
      await h.engine.event(hostConnected('host_f', 'acct_1HostF', '2026-08-30T00:00:00Z'));
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_off', payment_intent_id: 'pi_x', host_id: 'host_f', check_in: '2026-10-10', check_out: '2026-10-12' });
      ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_off' } }).id;
      await h.engine.event(ev);
      const sub = h.fake!.billing.createSubscription({ customer: 'cus_F', price: 'price_1PgafmB7WZ01zgkW6dKueIc5', metadata: { host_id: 'host_f', subscription_policy: 'offset' } });
      await h.settle();
      h.fake!.setNow(s('2026-10-01T00:00:00Z'));
      h.fake!.billing.failNextInvoicePayments(1);
      const renewal = h.fake!.billing.renew(sub.id);
      await h.settle();
      await h.engine.event(tick('2026-10-12T00:00:00Z'));
      await h.settle();
      await h.engine.event(tick('2026-10-12T01:00:00Z'));
      await h.settle();
      const view = await h.reader.get('/hosts/host_f/subscription');
      assert.equal(view.body.policy.id, 'offset');
      assert.deepEqual(view.body.offsets.map((x: { step: string }) => x.step), ['offset']);
      assert.equal(h.fake!.billing.invoices.get(renewal.id)!.paid_out_of_band, true);
      assert.equal(h.fake!.state.requests.filter((r) => r.path === `/v1/invoices/${renewal.id}/pay` && r.status === 200 && !r.replayed).length, 1, "paid out of band once (a retry replays)");
      const transfers = transfersOf(h, 'bk_off');
      assert.equal(transfers.length, 1);
      assert.equal(transfers[0]!.metadata.offset_minor, '2000');
      const booking = await h.reader.get('/bookings/bk_off');
      assert.equal(booking.body.state, 'paid_out');
      const entries = await readEntries(h.t.db);
      assert.equal(entries.filter((e) => e.idempotency_key === `subscription:${sub.id}:offset:${renewal.id}`).length, 1);
      assert.equal(entries.filter((e) => e.idempotency_key === `subscription:${sub.id}:payment:${renewal.id}`).length, 0, 'no cash: it was paid by the offset');
      const statement = await h.reader.get('/hosts/host_f/statement');
      assert.equal(statement.body.subscription.offsets_minor, 2000);
      for (const r of (await trialBalance(h.t.db)).rows) assert.equal(r.debits_minor, r.credits_minor);
    });

    test('plan change: preview → consent → executed with the previewed proration; stale consent refused, no Stripe call', async () => {
      h.fake!.setNow(s('2026-09-01T00:00:00Z'));
      await h.engine.event(hostConnected('host_e', 'acct_1HostE', '2026-08-30T00:00:00Z'));
      const sub = h.fake!.billing.createSubscription({ customer: 'cus_E', price: 'price_1PgafmB7WZ01zgkW6dKueIc5', metadata: { host_id: 'host_e' } });
      await h.settle();

      const old = await h.reader.get('/preview/outcome?action=change_plan&host_id=host_e&price=price_HostPlusMonthly&at=2026-09-11T10:00:00Z');
      assert.equal(old.status, 200);
      assert.equal(old.body.outcome.unused_time_credit_minor, -1333);
      assert.equal(old.body.outcome.new_plan_charge_minor, 3333);
      const postsBefore = subscriptionPosts(h).length;
      const stale = change('host_e', 'price_HostPlusMonthly', old.body.outcome_hash, '2026-09-12T09:00:00Z');
      assert.equal((await h.engine.event(stale)).status, 202);
      await h.settle();
      const refused = await h.operator.get(`/inbox/booking/${stale.id}`);
      assert.equal(refused.body.code, 'outcome_changed');
      assert.equal(subscriptionPosts(h).length, postsBefore, 'no call to Stripe');
      const decisions = await h.t.db('decisions').where({ action: 'change_plan', actor: 'host_e' }).select('allowed', 'reason', 'consent_hash');
      assert.equal(decisions.length, 1);
      assert.equal(decisions[0].reason, 'outcome_changed');
      assert.match(decisions[0].consent_hash, /^sha256:/);

      const fresh = await h.reader.get('/preview/outcome?action=change_plan&host_id=host_e&price=price_HostPlusMonthly&at=2026-09-12T09:00:00Z');
      assert.equal(fresh.body.outcome.proration_date, '2026-09-12T00:00:00Z');
      h.fake!.setNow(s('2026-09-12T09:01:00Z'));
      await h.engine.event(change('host_e', 'price_HostPlusMonthly', fresh.body.outcome_hash, '2026-09-12T09:01:00Z'));
      await h.settle();
      assert.equal(subscriptionPosts(h).length, postsBefore + 1);
      const invoice = [...h.fake!.billing.invoices.values()].find((i) => i.billing_reason === 'subscription_update' && i.parent.subscription_details.subscription === sub.id)!;
      assert.deepEqual(invoice.lines.data.map((l: { amount: number }) => l.amount), [fresh.body.outcome.unused_time_credit_minor, fresh.body.outcome.new_plan_charge_minor]);
      const posted = (await readEntries(h.t.db)).find((e) => e.idempotency_key === `subscription:${sub.id}:invoice:${invoice.id}`)!;
      assert.deepEqual(posted.lines.filter((l) => l.account === 'platform:subscription_proration:USD').map((l) => [l.direction, l.amount_minor]), [
        ['D', -fresh.body.outcome.unused_time_credit_minor], ['C', fresh.body.outcome.new_plan_charge_minor],
      ]);
      const view = await h.reader.get('/hosts/host_e/subscription');
      assert.equal(view.body.price, 'price_HostPlusMonthly');

      const cancel = await h.reader.get('/preview/outcome?action=cancel_subscription&host_id=host_e&at=2026-09-20T00:00:00Z');
      assert.equal(cancel.body.outcome.cancel_at, '2026-10-01T00:00:00Z');
      await h.engine.event({ id: eventId('sub'), type: 'subscription.cancel_requested', occurred_at: '2026-09-20T00:00:00Z', data: { host_id: 'host_e', consent: { outcome_hash: cancel.body.outcome_hash, actor: 'host_e', consented_at: '2026-09-20T00:00:00Z' } } });
      await h.settle();
      assert.equal(h.fake!.billing.subscriptions.get(sub.id)!.cancel_at_period_end, true);
      // every decision above (dunning steps, plan changes refused and executed, the cancellation) re-evaluates the same
      const verified = await verifyDecisions(h.t.db);
      assert.ok(verified.checked > 5);
      assert.deepEqual(verified.problems, []);
    });

    test('replaying the log into a fresh database gives the same ledger and the same decisions', async () => {
      const report = await replayHarness(h, dialect);
      assert.ok(report.replayed.entries > 20);
      assert.equal(report.first_difference, null);
      assert.equal(report.identical, true);
    });

    test('bad input: unknown price, unknown host, another currency → problem+json with a stable code, nothing written', async () => {
      const before = await writtenCounts(h.t.db);
      const cases: Array<[unknown, string]> = [
        [change('host_e', 'price_nope', `sha256:${'0'.repeat(64)}`, '2026-09-13T00:00:00Z'), 'unknown_price'],
        [change('host_nobody', 'price_HostPlusMonthly', `sha256:${'0'.repeat(64)}`, '2026-09-13T00:00:00Z'), 'unknown_host'],
        [change('host_e', 'price_HostProMonthlyEur', `sha256:${'0'.repeat(64)}`, '2026-09-13T00:00:00Z'), 'currency_mismatch'],
        [{ ...change('host_e', 'price_HostPlusMonthly', `sha256:${'0'.repeat(64)}`, '2026-09-13T00:00:00Z'), data: { host_id: 'host_e', price: -5, consent: { outcome_hash: `sha256:${'0'.repeat(64)}`, actor: 'h', consented_at: '2026-09-13T00:00:00Z' } } }, 'validation_failed'],
      ];
      for (const [event, code] of cases) {
        const r = await h.engine.event(event as never);
        assert.equal(r.status, 422, code);
        assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.equal(r.body.code, code);
      }
      const p = await h.reader.get('/preview/outcome?action=change_plan&host_id=host_e&price=price_nope');
      assert.equal(p.status, 422);
      assert.equal(p.body.code, 'unknown_price');
      assert.equal((await h.reader.get('/preview/outcome?action=cancel_subscription&host_id=host_nobody')).body.code, 'unknown_host');
      assert.deepEqual(await writtenCounts(h.t.db), before);
    });
  });
}
