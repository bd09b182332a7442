/**
 * Regression (found by the simulation, seed 2661 with late Stripe deliveries): a host's payout was
 * held (a late account.updated) when the guest's dispute of the whole charge was lost. The host's
 * part of the loss — all of their share — was withheld from the pending payout, so the share held
 * was 0 and every later tick found "nothing held": the payout was never decided, and the booking's
 * fees and taxes, earned at the payout (money-flows flow 3), stayed held for ever. Paid before the
 * dispute, the same booking earned them (and the host's transfer was reversed). A payout with
 * nothing left to transfer now settles like one whose share all goes to what the host owes: no
 * Stripe call, the fees and taxes earned.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness } from '../../testing/harness.js';
import { checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { trialBalance } from '../../flows/ledger/index.js';

const parsed = (x: unknown): unknown => (typeof x === 'string' ? JSON.parse(x) : x);

for (const dialect of dialects()) {
  describe(`a payout with nothing left to transfer still earns the booking's fees and taxes, on ${dialect}`, () => {
    test('a dispute of the whole charge lost before the payout: no transfer, fees and taxes earned once', { timeout: 120_000 }, async () => {
      const h = await startHarness(dialect, { stripe: true });
      try {
        await h.engine.event(hostConnected('host_w', 'acct_1WithheldHost', '2026-08-01T00:00:00Z'));
        const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_withheld', payment_intent_id: 'pi_x', host_id: 'host_w' });
        const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_withheld' } });
        ev.data.payment_intent_id = pi.id;
        assert.equal((await h.engine.event(ev)).status, 202);
        await h.settle();

        // The card network takes the whole charge back and the platform loses, before the payout is due.
        const dp = h.fake!.disputes.open(String(pi.latest_charge));
        h.fake!.disputes.close(dp.id, 'lost');
        await h.settle();
        const lost = await h.sidecar.db('decisions').where({ booking_id: 'bk_withheld', action: 'dispute_lost' }).first('outcome');
        const outcome = parsed(lost.outcome) as { host_bears: number; withheld_from_payout: number };
        const balances = async () => new Map((await trialBalance(h.sidecar.db)).accounts.map((a) => [a.account, a.balance_minor]));
        const before = await balances();
        assert.equal(before.get('booking:bk_withheld:host_share:USD') ?? 0n, 0n, 'the whole share is withheld: nothing held for the host');
        assert.equal(outcome.withheld_from_payout, outcome.host_bears);
        const fees = before.get('booking:bk_withheld:platform_fees:USD') ?? 0n;
        const taxes = before.get('booking:bk_withheld:taxes:USD') ?? 0n;
        assert.ok(fees !== 0n && taxes !== 0n, 'fees and taxes are held until the payout');

        assert.equal((await h.engine.event(checkedIn('bk_withheld', '2026-10-10T14:00:00Z'))).status, 202);
        assert.equal((await h.engine.event(tick('2026-10-11T14:00:00Z'))).status, 202);
        assert.equal((await h.engine.event(tick('2026-10-12T14:00:00Z'))).status, 202);
        await h.settle();

        const after = await balances();
        assert.equal(after.get('booking:bk_withheld:platform_fees:USD') ?? 0n, 0n, 'the fees are earned at the payout');
        assert.equal(after.get('booking:bk_withheld:taxes:USD') ?? 0n, 0n, 'the taxes are owed at the payout');
        assert.equal((after.get('platform:fee_revenue:USD') ?? 0n) - (before.get('platform:fee_revenue:USD') ?? 0n), fees, 'into fee revenue, once');
        assert.equal((after.get('platform:taxes_payable:USD') ?? 0n) - (before.get('platform:taxes_payable:USD') ?? 0n), taxes, 'into taxes payable, once');
        const payouts = await h.sidecar.db('decisions').where({ booking_id: 'bk_withheld', action: 'host_payout' }).select('outcome');
        assert.equal(payouts.length, 1, 'decided once (the second tick finds it paid)');
        assert.equal((parsed(payouts[0].outcome) as { amount_minor: number }).amount_minor, 0);
        assert.equal(await h.sidecar.db('outbox_intents').where({ booking_id: 'bk_withheld', operation: 'transfer' }).first() ?? null, null, 'no Stripe call for nothing');
        assert.deepEqual([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === 'bk_withheld'), []);
        assert.equal((await h.sidecar.db('booking_transitions').where({ booking_id: 'bk_withheld' }).orderBy('step', 'desc').first('to_state')).to_state, 'paid_out');
      } finally {
        await h.stop();
      }
    });
  });
}
