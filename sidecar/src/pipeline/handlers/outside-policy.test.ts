import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { confirmed, total } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { rekeyed } from '../../http/stripe-fixtures.test-helper.js';
import { bookingFlags } from '../../flows/booking/store.js';
import { trialBalance } from '../../flows/ledger/index.js';
import { verifyAll } from '../verify-all.js';

// Issue #13: money is posted only against an intent or a reality.
for (const dialect of dialects()) {
  describe(`movements outside policy on ${dialect}`, () => {
    let h: Harness;
    let pi_id = '';
    const BOOKING = 'bk_outside';
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: BOOKING, payment_intent_id: 'pi_x' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: BOOKING } });
      ev.data.payment_intent_id = pi.id;
      pi_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
      assert.equal((await h.reader.get(`/bookings/${BOOKING}`)).body.state, 'paid');
    });
    after(async () => h?.stop());

    const refund = (id: string, amount: number, metadata: Record<string, string>) => {
      const e = rekeyed('refund.created');
      Object.assign(e.data.object, { id, amount, currency: 'usd', status: 'succeeded', payment_intent: pi_id, charge: null, transfer_reversal: null, balance_transaction: null, metadata });
      return e;
    };

    test('a Dashboard refund (no decision) is posted to suspense, flagged and listed — never dropped, never a policy refund', async () => {
      const r = await postStripeWebhook(h.sidecar.url, refund('re_dashboard_1', 2500, {}), WEBHOOK_SECRET);
      assert.equal(r.status, 200, r.text);
      await h.settle();
      const status = await h.operator.get(`/inbox/stripe/${r.body.event_id}`);
      assert.equal(status.body.status, 'processed', status.text);
      assert.equal(status.body.code, 'movement_outside_policy');
      const listed = await h.auditor.get('/suspense');
      assert.equal(listed.status, 200, listed.text);
      const row = listed.body.movements.find((m: { object_id: string }) => m.object_id === 're_dashboard_1');
      assert.ok(row, listed.text);
      assert.deepEqual([row.booking_id, row.currency, row.amount_minor, row.direction, row.object_kind], [BOOKING, 'USD', 2500, 'out', 'refund']);
      assert.match(row.reason, /names no decision/);
      assert.ok((await bookingFlags(h.sidecar.db, BOOKING)).some((f) => f.code === 'movement_outside_policy'));
      const view = await h.reader.get(`/bookings/${BOOKING}`);
      assert.equal(view.body.refunded_minor, 0, 'not counted as a refund the policy gave');
      assert.equal(view.body.state, 'paid', 'no policy transition');
      assert.equal((await h.reader.get('/suspense')).status, 403, 'the plugin\'s key does not list it');
    });

    test('a refund naming a made-up decision for 10^9 goes to suspense, not to the guest\'s refund_due; verify stays OK and provenance holds', async () => {
      const before_ = (await h.reader.get(`/bookings/${BOOKING}`)).body;
      const r = await postStripeWebhook(h.sidecar.url, refund('re_forged_1', 1_000_000_000, { booking_id: BOOKING, decision_id: 'dec_000000000000000000forged' }), WEBHOOK_SECRET);
      assert.equal(r.status, 200);
      await h.settle();
      const listed = await h.auditor.get('/suspense');
      const row = listed.body.movements.find((m: { object_id: string }) => m.object_id === 're_forged_1');
      assert.ok(row, listed.text);
      assert.match(row.reason, /never recorded/);
      const after_ = (await h.reader.get(`/bookings/${BOOKING}`)).body;
      assert.equal(after_.refunded_minor, before_.refunded_minor);
      const receipt = (await h.reader.get(`/bookings/${BOOKING}/receipt`)).body;
      assert.ok(!JSON.stringify(receipt).includes('1000000000'), 'the guest\'s receipt does not show it');
      assert.deepEqual(listed.body.balances, [{ currency: 'USD', balance_minor: 1_000_002_500 }], 'what is unexplained, per currency');
      const tb = await trialBalance(h.sidecar.db);
      for (const x of tb.rows) assert.equal(x.debits_minor, x.credits_minor);
      const v = await verifyAll(h.sidecar.db, { now_ms: Date.now() });
      assert.ok(v.ok, v.lines.join('\n'));
    });
  });
}
