/**
 * Regression (found by the simulation, seed 189 with late Stripe deliveries): what a host owes was
 * deducted from a payout when Stripe's transfer.created posted it, so a second payout decided before
 * that delivery saw the same penalty still owed and deducted it again — the host was paid the
 * penalty short twice and the receivable ended negative. The deduction is now posted when decided.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { STORY_SKEW_S, WEBHOOK_SECRET, startHarness } from '../../testing/harness.js';
import { cancelRequested, checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { paymentSucceeded } from '../../http/stripe-fixtures.test-helper.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { trialBalance } from '../../flows/ledger/index.js';

const ts = (iso: string) => Math.floor(Date.parse(iso) / 1000);

for (const dialect of dialects()) {
  describe(`a penalty owed is deducted from one payout only, on ${dialect}`, () => {
    test('two payouts decided before either transfer is reported: the penalty comes off once', { timeout: 120_000 }, async () => {
      const h = await startHarness(dialect, { stripe: true, config: { eventMaxSkew_s: STORY_SKEW_S } });
      try {
        // No transfer is made (so none is reported) until both payouts are decided.
        await h.sidecar.outbox!.stop();
        await h.engine.event(hostConnected('host_d', 'acct_1DedHost', '2026-08-01T00:00:00Z'));
        const book = async (x: string, check_in: string, check_out: string) => {
          const c = confirmed('2026-08-02T00:00:00Z', { booking_id: `bk_ded_${x}`, payment_intent_id: `pi_ded_${x}`, host_id: 'host_d', check_in, check_out, time_zone: 'UTC' });
          assert.equal((await h.engine.event(c)).status, 202);
          assert.equal((await postStripeWebhook(h.sidecar.url, paymentSucceeded({ booking_id: `bk_ded_${x}`, payment_intent_id: `pi_ded_${x}`, amount: total(c.data), created: ts('2026-08-02T00:05:00Z') }), WEBHOOK_SECRET)).status, 200);
        };
        await book('a', '2026-10-01', '2026-10-04');
        await book('b', '2026-09-01', '2026-09-04');
        await book('c', '2026-09-01', '2026-09-04');
        // The host cancels A 30+ days ahead: full refund to the guest, a penalty owed by the host.
        await h.sidecar.dispatcher.drain();
        const at = '2026-08-10T00:00:00Z';
        const preview = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_ded_a&by=host&at=${encodeURIComponent(at)}`);
        assert.equal(preview.status, 200, preview.text);
        const penalty = Number((preview.body.outcome as Record<string, unknown>).host_penalty);
        assert.ok(penalty > 0, 'the host owes a penalty');
        assert.equal((await h.engine.event(cancelRequested('bk_ded_a', 'host', String(preview.body.outcome_hash), at, 'host_d'))).status, 202);
        for (const x of ['b', 'c']) assert.equal((await h.engine.event(checkedIn(`bk_ded_${x}`, '2026-09-01T15:05:00Z'))).status, 202);
        // One tick finds both payouts due; a second one later (transfer.created still not reported).
        assert.equal((await h.engine.event(tick('2026-09-03T00:00:00Z'))).status, 202);
        assert.equal((await h.engine.event(tick('2026-09-04T00:00:00Z'))).status, 202);
        await h.sidecar.dispatcher.drain();

        const payouts = (await h.sidecar.db('decisions').where({ action: 'host_payout' }).select('booking_id', 'outcome')) as Array<{ booking_id: string; outcome: string }>;
        assert.deepEqual(payouts.map((p) => p.booking_id).sort(), ['bk_ded_b', 'bk_ded_c']);
        const deducted = payouts.reduce((s, p) => s + Number((JSON.parse(p.outcome) as { deduction_minor: number }).deduction_minor), 0);
        assert.equal(deducted, penalty, 'the penalty is deducted once across the two payouts');
        const owed = (await trialBalance(h.sidecar.db)).accounts.find((a) => a.account === 'host:host_d:penalties_receivable:USD')?.balance_minor ?? 0n;
        assert.equal(owed, 0n, 'nothing owed, nothing owed back');

        // What Stripe is asked to move is the cash part of each decision; the transfer carries no deduction to post again.
        const intents = (await h.sidecar.db('outbox_intents').where({ operation: 'transfer' }).select('params')) as Array<{ params: string }>;
        const asked = intents.map((i) => JSON.parse(i.params) as { amount: number; metadata: Record<string, string> });
        assert.equal(asked.reduce((s, p) => s + p.amount, 0), payouts.reduce((s, p) => s + Number((JSON.parse(p.outcome) as { amount_minor: number }).amount_minor), 0));
        assert.ok(asked.every((p) => p.metadata.deduction_minor === '0'));
      } finally {
        await h.stop();
      }
    });
  });
}
