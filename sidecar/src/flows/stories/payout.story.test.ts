import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { checkedIn, completed, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';

for (const dialect of dialects()) {
  describe(`story on ${dialect}: paid, checked in, paid out, completed`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    test('the booking money lifecycle ends balanced, verified, with the host paid 24 h after check-in', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_story_1', payment_intent_id: 'pi_placeholder' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_story_1' } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(hostConnected('host_1', 'acct_1HostStory', '2026-09-01T09:00:00Z'))).status, 202);
      const r = await h.engine.event(ev);
      assert.equal(r.status, 202, r.text);
      await h.settle();

      let view = await h.reader.get('/bookings/bk_story_1');
      assert.equal(view.status, 200, view.text);
      assert.equal(view.body.state, 'paid');
      assert.equal(view.body.paid_minor, total(ev.data));
      assert.equal(view.body.next_step.action, 'host_payout');
      assert.equal(view.body.next_step.due_at, '2026-10-11T13:00:00Z'); // 15:00 Paris (UTC+2) + 24 h

      await h.engine.event(checkedIn('bk_story_1', '2026-10-10T13:05:00Z'));
      await h.engine.event(tick('2026-10-11T12:59:59Z'));
      await h.settle();
      assert.equal(h.fake!.state.transfers.size, 0, 'not due one second early');

      await h.engine.event(tick('2026-10-11T13:00:00Z'));
      await h.settle();
      assert.equal(h.fake!.state.transfers.size, 1);
      const transfer = [...h.fake!.state.transfers.values()][0]!;
      const hostShare = 35000 - Math.floor(35000 * 300 / 10000);
      assert.equal(transfer.amount, hostShare);
      assert.equal(transfer.destination, 'acct_1HostStory');
      assert.equal(transfer.transfer_group, 'bk_story_1');
      view = await h.reader.get('/bookings/bk_story_1');
      assert.equal(view.body.state, 'paid_out');
      assert.equal(view.body.fees.stripe_fee_minor > 0, true, 'the Stripe fee was looked up and posted');

      // the same tick again changes nothing
      await h.engine.event(tick('2026-10-11T14:00:00Z'));
      await h.settle();
      assert.equal(h.fake!.state.transfers.size, 1);

      await h.engine.event(completed('bk_story_1', '2026-10-13T09:00:00Z'));
      await h.settle();
      view = await h.reader.get('/bookings/bk_story_1');
      assert.equal(view.body.state, 'completed');
      const credits = await h.reader.get('/guests/guest_1/credits');
      assert.equal(credits.body.balance, 300);

      const tb = await trialBalance(h.sidecar.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, `trial balance ${row.unit}`);
      const report = await verifyLedger(h.sidecar.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));

      const statement = await h.reader.get('/hosts/host_1/statement?from=2026-09-01&to=2026-10-31');
      assert.equal(statement.status, 200, statement.text);
      const row = statement.body.bookings.find((b: { booking_id: string }) => b.booking_id === 'bk_story_1');
      assert.equal(row.gross_minor, 35000);
      assert.equal(row.host_fee_minor, 35000 - hostShare);
      assert.equal(row.transfers_minor, hostShare);
      assert.equal(row.net_minor, hostShare);
    });
  });
}
