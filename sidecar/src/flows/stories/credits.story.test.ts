import { verifyProvenance } from '../../pipeline/verify-provenance.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { completed, confirmed, eventId, hostConnected, total } from '../../testing/events.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';

for (const dialect of dialects()) {
  describe(`loyalty credits redeemed on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await h.engine.event(hostConnected('host_1', 'acct_1CreditsHost', '2026-01-01T00:00:00Z'));
    });
    after(async () => h?.stop());

    async function book(booking_id: string, at: string, extra: Record<string, unknown>, pay: (expected: number) => number = (x) => x) {
      const ev = confirmed(at, { booking_id, payment_intent_id: 'pi_x', guest_id: 'guest_cr', ...extra });
      // 100 credits = USD 1.00 = 100 minor units, so for USD one credit is worth one cent
      const expected = total(ev.data) - (extra.credits_redeemed ? Math.min(ev.data.guest_service_fee, extra.credits_redeemed as number) : 0);
      const pi = h.fake!.createPayment({ amount: pay(expected), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
      return { ev, expected };
    }

    test('earned credits are redeemed against the service fee; the guest pays less; a host cancellation restores them', async () => {
      await book('bk_earn', '2026-08-01T00:00:00Z', { check_in: '2026-08-20', check_out: '2026-08-23' });
      await h.engine.event(completed('bk_earn', '2026-08-23T09:00:00Z'));
      await h.settle();
      assert.equal((await h.reader.get('/guests/guest_cr/credits')).body.balance, 300);

      const { expected } = await book('bk_redeem', '2026-09-01T00:00:00Z', { check_in: '2026-12-01', check_out: '2026-12-04', credits_redeemed: 250 });
      const view = await h.reader.get('/bookings/bk_redeem');
      assert.equal(view.body.state, 'paid', view.text);
      assert.equal(view.body.paid_minor, expected);
      assert.equal(view.body.total_minor - view.body.paid_minor, 250, '250 credits = USD 2.50 off the service fee');
      assert.equal((await h.reader.get('/guests/guest_cr/credits')).body.balance, 50);
      const receipt = await h.reader.get('/bookings/bk_redeem/receipt');
      assert.equal(receipt.body.lines.filter((l: { kind: string }) => l.kind === 'charge').reduce((s: number, l: { amount_minor: number }) => s + l.amount_minor, 0), expected);

      const p = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_redeem&by=host&at=2026-10-01T00:00:00Z');
      assert.equal(p.body.outcome.refund_to_guest, expected, 'the cash paid comes back, not the credits as cash');
      assert.ok(p.body.outcome.credit_to_guest >= 250, 'the redeemed credits are restored (plus the host-cancellation credit)');
      await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-10-01T00:00:00Z', data: { booking_id: 'bk_redeem', by: 'host', consent: { outcome_hash: p.body.outcome_hash, actor: 'host_1', consented_at: '2026-10-01T00:00:00Z' } } });
      await h.settle();
      assert.equal((await h.reader.get('/guests/guest_cr/credits')).body.balance, 50 + p.body.outcome.credit_to_guest);
    });

    test('redeeming more credits than the guest holds is refused and visible; nothing is posted', async () => {
      const ev = confirmed('2026-09-02T00:00:00Z', { booking_id: 'bk_greedy', payment_intent_id: 'pi_greedy_1', guest_id: 'guest_cr', credits_redeemed: 100_000 });
      await h.engine.event(ev);
      await h.settle();
      const st = await h.operator.get(`/inbox/booking/${ev.id}`);
      assert.equal(st.body.status, 'dead_lettered');
      assert.match(st.body.reason, /100000 were redeemed/);
      assert.equal((await h.reader.get('/bookings/bk_greedy')).status, 404);
      const tb = await trialBalance(h.sidecar.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, row.unit);
      assert.equal((await verifyLedger(h.sidecar.db)).ok, true);
      assert.deepEqual((await verifyProvenance(h.sidecar.db)).problems, [], 'every entry and decision names a processed inbox event, in chain order');
    });
  });
}
