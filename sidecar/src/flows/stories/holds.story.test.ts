import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dialects } from '../../testing/databases.js';
import { STORY_SKEW_S, startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { completed, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';

const SUBSCRIPTION_UPDATED = JSON.parse(readFileSync(new URL('../../../../fixtures/stripe/customer.subscription.updated.json', import.meta.url), 'utf8'));

for (const dialect of dialects()) {
  describe(`payout holds and credits on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      // This story's events run into 2027, ahead of the wall clock: the future-event guard (tested in
      // http/event-time.test.ts) is widened here so a year of event time can pass in seconds.
      h = await startHarness(dialect, { stripe: true, config: { eventMaxSkew_s: STORY_SKEW_S } });
    });
    after(async () => h?.stop());

    async function paidBooking(booking_id: string, host_id: string) {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_x', host_id, check_in: '2026-10-10', check_out: '2026-10-12' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
    }

    test('a host with no connected account is held, visibly, then paid once connected', async () => {
      await paidBooking('bk_nohost', 'host_unconnected');
      await h.engine.event(tick('2026-10-12T00:00:00Z'));
      await h.settle();
      const view = await h.reader.get('/bookings/bk_nohost');
      assert.equal(view.body.state, 'paid');
      assert.equal(view.body.next_step.action, 'host_payout');
      assert.equal(view.body.next_step.held.code, 'no_connected_account');
      assert.equal([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === 'bk_nohost').length, 0);

      await h.engine.event(hostConnected('host_unconnected', 'acct_1LateHost', '2026-10-12T01:00:00Z'));
      await h.engine.event(tick('2026-10-12T02:00:00Z'));
      await h.settle();
      assert.equal([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === 'bk_nohost').length, 1);
      assert.equal((await h.reader.get('/bookings/bk_nohost')).body.state, 'paid_out');
    });

    test('a host whose subscription is past due is held by the payout-hold policy', async () => {
      await h.engine.event(hostConnected('host_pastdue', 'acct_1PgafTB7WZ01zgkW', '2026-09-01T00:00:00Z'));
      await paidBooking('bk_pastdue', 'host_pastdue');
      const sub = structuredClone(SUBSCRIPTION_UPDATED);
      sub.id = 'evt_sub_pastdue_1';
      assert.equal(sub.data.object.status, 'past_due');
      assert.equal((await postStripeWebhook(h.sidecar.url, sub, WEBHOOK_SECRET)).status, 200);
      await h.engine.event(tick('2026-10-12T03:00:00Z'));
      await h.settle();
      const view = await h.reader.get('/bookings/bk_pastdue');
      assert.equal(view.body.next_step.held.code, 'subscription_past_due');
      assert.equal([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === 'bk_pastdue').length, 0);

      const active = structuredClone(SUBSCRIPTION_UPDATED);
      active.id = 'evt_sub_active_1';
      active.data.object.status = 'active';
      await postStripeWebhook(h.sidecar.url, active, WEBHOOK_SECRET);
      await h.engine.event(tick('2026-10-12T04:00:00Z'));
      await h.settle();
      assert.equal([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === 'bk_pastdue').length, 1);
    });

    test('credits earned on a completed stay expire on the first tick past 365 days, never as cash', async () => {
      await h.engine.event(completed('bk_nohost', '2026-10-12T09:00:00Z'));
      await h.settle();
      let credits = await h.reader.get('/guests/guest_1/credits');
      assert.equal(credits.body.balance, 300);
      assert.equal(credits.body.cash_value, null);
      assert.equal(credits.body.lots[0].expires_at, '2027-10-12T09:00:00Z');
      await h.engine.event(tick('2027-10-12T09:00:00Z'));
      await h.settle();
      credits = await h.reader.get('/guests/guest_1/credits');
      assert.equal(credits.body.balance, 300, 'not yet: expiry is strictly after the moment');
      await h.engine.event(tick('2027-10-12T09:00:01Z'));
      await h.settle();
      credits = await h.reader.get('/guests/guest_1/credits');
      assert.equal(credits.body.balance, 0);
      const entries = await h.auditor.get('/ledger/entries?booking_id=bk_nohost');
      assert.ok(entries.body.entries.some((e: { kind: string }) => e.kind === 'credits_earned'));
    });
  });
}
