import { verifyProvenance } from '../../pipeline/verify-provenance.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, DAY_MS, formatIsoUtc, HOUR_MS, SECOND_MS, localToUtc } from '../../kernel/index.js';
import { dialects } from '../../testing/databases.js';
import { STORY_SKEW_S, startHarness, type Harness } from '../../testing/harness.js';
import { checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { eventId } from '../../testing/events.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';

/**
 * One booking cancelled inside each window of each shipped policy, through HTTP with the Stripe
 * fake: the guest previews, consents to the preview's outcome_hash, cancels; what Stripe is asked
 * to refund (and to reverse from the host) must equal the preview, and the receipt must show it.
 */
type Case = {
  name: string; policy: string; by: 'guest' | 'host';
  confirm: number; cancel: number; // offsets from the check-in moment, ms
  expect: 'full' | 'partial' | 'none';
  payoutFirst?: boolean; // check in, tick past check-in + 24 h (host paid), then cancel
};
const D = DAY_MS;
const CASES: Case[] = [
  { name: 'flexible, exactly 24 h before: full', policy: 'flexible', by: 'guest', confirm: -60 * D, cancel: -24 * HOUR_MS, expect: 'full' },
  { name: 'flexible, 24 h - 1 s before: first night kept', policy: 'flexible', by: 'guest', confirm: -60 * D, cancel: -24 * HOUR_MS + SECOND_MS, expect: 'partial' },
  { name: 'moderate, exactly 5 days before: full', policy: 'moderate', by: 'guest', confirm: -60 * D, cancel: -5 * D, expect: 'full' },
  { name: 'moderate, 5 days - 1 s before: partial', policy: 'moderate', by: 'guest', confirm: -60 * D, cancel: -5 * D + SECOND_MS, expect: 'partial' },
  { name: 'limited, 14 days before: full', policy: 'limited', by: 'guest', confirm: -60 * D, cancel: -14 * D, expect: 'full' },
  { name: 'limited, 14 days - 1 s: 50%', policy: 'limited', by: 'guest', confirm: -60 * D, cancel: -14 * D + SECOND_MS, expect: 'partial' },
  { name: 'limited, 7 days - 1 s: nothing of the nights', policy: 'limited', by: 'guest', confirm: -60 * D, cancel: -7 * D + SECOND_MS, expect: 'none' },
  { name: 'firm, 30 days before: full', policy: 'firm', by: 'guest', confirm: -60 * D, cancel: -30 * D, expect: 'full' },
  { name: 'firm, 30 days - 1 s: 50%', policy: 'firm', by: 'guest', confirm: -60 * D, cancel: -30 * D + SECOND_MS, expect: 'partial' },
  { name: 'firm, 7 days - 1 s: nothing of the nights', policy: 'firm', by: 'guest', confirm: -60 * D, cancel: -7 * D + SECOND_MS, expect: 'none' },
  { name: 'firm, inside the 24 h overlay: full', policy: 'firm', by: 'guest', confirm: -20 * D, cancel: -19 * D, expect: 'full' },
  { name: 'strict, 48 h after booking and 14+ days before: full', policy: 'strict', by: 'guest', confirm: -20 * D, cancel: -18 * D, expect: 'full' },
  { name: 'strict, after 48 h, 7+ days before: 50%', policy: 'strict', by: 'guest', confirm: -60 * D, cancel: -14 * D, expect: 'partial' },
  { name: 'strict, 7 days - 1 s: nothing of the nights', policy: 'strict', by: 'guest', confirm: -60 * D, cancel: -7 * D + SECOND_MS, expect: 'none' },
  { name: 'non_refundable: nothing of the nights', policy: 'non_refundable', by: 'guest', confirm: -60 * D, cancel: -40 * D, expect: 'none' },
  { name: 'host cancels 30+ days before: full refund, 10% penalty', policy: 'moderate', by: 'host', confirm: -60 * D, cancel: -31 * D, expect: 'full' },
  { name: 'host cancels < 48 h before: full refund, 50% penalty', policy: 'firm', by: 'host', confirm: -60 * D, cancel: -47 * HOUR_MS, expect: 'full' },
  { name: 'moderate, after check-in before payout: stayed + 1 + 50%', policy: 'moderate', by: 'guest', confirm: -60 * D, cancel: 2 * HOUR_MS, expect: 'partial' },
  { name: 'flexible, after the host was paid: reversal', policy: 'flexible', by: 'guest', confirm: -60 * D, cancel: 30 * HOUR_MS, expect: 'partial', payoutFirst: true },
  { name: 'host cancels after the host was paid: full refund, full reversal', policy: 'strict', by: 'host', confirm: -60 * D, cancel: 25 * HOUR_MS, expect: 'full', payoutFirst: true },
];

const iso = (ms: number) => formatIsoUtc(ms);

for (const dialect of dialects()) {
  describe(`cancellation stories on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      // This story's events run into 2027, ahead of the wall clock: the future-event guard (tested in
      // http/event-time.test.ts) is widened here so a year of event time can pass in seconds.
      h = await startHarness(dialect, { stripe: true, config: { eventMaxSkew_s: STORY_SKEW_S } });
      await h.engine.event(hostConnected('host_m', 'acct_1MatrixHost', '2026-01-01T00:00:00Z'));
    });
    after(async () => h?.stop());

    CASES.forEach((c, i) => {
      test(c.name, async () => {
        const booking_id = `bk_c${i}`;
        const check_in = addDays('2026-12-01', i * 7); // each case its own stay, later than the previous one
        const C = localToUtc(check_in, '15:00', 'Europe/Paris');
        const ev = confirmed(iso(C + c.confirm), { booking_id, payment_intent_id: 'pi_x', host_id: 'host_m', guest_id: `guest_c${i}`, check_in, check_out: addDays(check_in, c.payoutFirst ? 6 : 3), nightly_total: 30001, cancellation_policy: c.policy });
        const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
        ev.data.payment_intent_id = pi.id;
        assert.equal((await h.engine.event(ev)).status, 202);
        await h.settle();
        if (c.payoutFirst) {
          await h.engine.event(checkedIn(booking_id, iso(C + HOUR_MS)));
          await h.engine.event(tick(iso(C + 24 * HOUR_MS)));
          await h.settle();
          assert.equal((await h.reader.get(`/bookings/${booking_id}`)).body.state, 'paid_out');
        } else if (c.cancel > 0) {
          await h.engine.event(checkedIn(booking_id, iso(C + HOUR_MS)));
        }
        const at = iso(C + c.cancel);
        const preview = await h.reader.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=${c.by}&at=${encodeURIComponent(at)}`);
        assert.equal(preview.status, 200, preview.text);
        assert.equal(preview.body.allowed, true, preview.text);
        const o = preview.body.outcome;
        const nightly = o.lines.nightly_refund;
        if (c.expect === 'full') assert.equal(nightly, 30001, preview.body.explanation.join('\n'));
        if (c.expect === 'partial') assert.ok(nightly > 0 && nightly < 30001, preview.body.explanation.join('\n'));
        if (c.expect === 'none') assert.equal(nightly, 0, preview.body.explanation.join('\n'));
        assert.equal(o.refund_to_guest + o.host_payout + o.platform_fee_kept + o.taxes_kept, total(ev.data), 'the parts sum to what was paid');

        const cancel = { id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id, by: c.by, consent: { outcome_hash: preview.body.outcome_hash, actor: c.by === 'guest' ? `guest_c${i}` : 'host_m', consented_at: at } } };
        assert.equal((await h.engine.event(cancel)).status, 202);
        await h.settle();
        const status = await h.operator.get(`/inbox/booking/${cancel.id}`);
        assert.equal(status.body.status, 'processed', status.text);
        assert.equal(status.body.code, null, status.text);

        const refunds = [...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === booking_id);
        assert.equal(refunds.length, o.refund_to_guest > 0 ? 1 : 0);
        if (o.refund_to_guest > 0) assert.equal(refunds[0]!.amount, o.refund_to_guest, 'Stripe refunded exactly the previewed amount');
        const reversals = [...h.fake!.state.transferReversals.values()].filter((r) => r.metadata?.booking_id === booking_id);
        assert.equal(reversals.length, o.host_recovery > 0 ? 1 : 0);
        if (o.host_recovery > 0) assert.equal(reversals[0]!.amount, o.host_recovery, 'reversed exactly the previewed recovery');
        if (c.payoutFirst) assert.ok(o.host_recovery > 0, 'the host had been paid: something is recovered');

        const receipt = await h.reader.get(`/bookings/${booking_id}/receipt`);
        assert.equal(receipt.body.cancellation.outcome_hash, preview.body.outcome_hash, 'the receipt is the outcome the guest consented to');
        assert.equal(receipt.body.refunded_minor, o.refund_to_guest);
        assert.equal(receipt.body.credits_granted, o.credit_to_guest);
        const refundLines = receipt.body.lines.filter((l: { kind: string }) => l.kind === 'refund').reduce((s: number, l: { amount_minor: number }) => s + l.amount_minor, 0);
        assert.equal(refundLines, o.refund_to_guest);
        const view = await h.reader.get(`/bookings/${booking_id}`);
        assert.equal(view.body.state, o.refund_to_guest > 0 ? 'refunded' : 'cancelled');
        if (c.by === 'host') {
          assert.ok(o.host_penalty > 0 && o.credit_to_guest > 0);
          assert.equal((await h.reader.get(`/guests/guest_c${i}/credits`)).body.balance, o.credit_to_guest);
        }
      });
    });

    test('afterwards: trial balance zero, verify clean, decisions re-derive, the statement ties out to Stripe', async () => {
      await h.engine.event(tick('2027-06-01T00:00:00Z')); // every kept share is due by now
      await h.settle();
      const tb = await trialBalance(h.sidecar.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, row.unit);
      assert.deepEqual(await h.sidecar.db('event_results').where({ status: 'dead_lettered' }).select('code', 'reason'), [], 'every event was processed or ignored');
      const report = await verifyLedger(h.sidecar.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));
      const decisions = await verifyDecisions(h.sidecar.db);
      assert.deepEqual((await verifyProvenance(h.sidecar.db)).problems, [], 'every entry and decision names a processed inbox event, in chain order');
      assert.deepEqual(decisions.problems, []);
      assert.ok(decisions.checked >= CASES.length * 2);
      const st = await h.reader.get('/hosts/host_m/statement');
      const totals = st.body.totals[0];
      const transferred = [...h.fake!.state.transfers.values()].reduce((s, t) => s + t.amount, 0);
      const reversed = [...h.fake!.state.transferReversals.values()].reduce((s, r) => s + r.amount, 0);
      assert.equal(totals.transfers_minor, transferred);
      assert.equal(totals.reversals_minor, reversed);
      // what the host earned = what was sent - what was taken back + penalties deducted from payouts - penalties still owed
      const owed = tb.accounts.find((a) => a.account === 'host:host_m:penalties_receivable:USD')?.balance_minor ?? 0n;
      const held = tb.accounts.filter((a) => /^booking:bk_c\d+:host_share:USD$/.test(a.account)).reduce((s, a) => s + a.balance_minor, 0n);
      const recoverable = tb.accounts.find((a) => a.account === 'host:host_m:receivable:USD')?.balance_minor ?? 0n;
      // earned = still held for the host + sent − taken back − owed back for paid-out refunds − penalties not yet deducted
      assert.equal(BigInt(totals.net_minor), held + BigInt(transferred - reversed) - recoverable - owed);
    });
  });
}
