/**
 * Issue #12, part 3: booking changes after payment move money by the modification policy — a
 * preview, the guest's consent of its hash, a refund of exactly the difference; an increase is a
 * balance due settled by the next payment; the host payout follows the new price.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, eventId, hostConnected, tick, total } from '../../testing/events.js';
import { writtenCounts } from '../../http/stripe-fixtures.test-helper.js';
import { trialBalance } from '../ledger/index.js';

const AT = '2026-09-10T08:00:00Z';
const share = (listing: number) => listing - Math.floor(listing * 300 / 10000);

for (const dialect of dialects()) {
  describe(`booking changes after payment on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await h.engine.event(hostConnected('host_1', 'acct_1ModifyHost', '2026-09-01T09:00:00Z'));
    });
    after(async () => h?.stop());

    async function paid(booking_id: string) {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_placeholder' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
      return ev;
    }
    const modified = (booking_id: string, data: Record<string, unknown>) => ({ id: eventId(), type: 'booking.modified', occurred_at: AT, data: { booking_id, ...data } });
    const resultOf = async (event_id: string) => h.sidecar.db('event_results as r').join('inbox_events as i', 'i.id', 'r.inbox_id').where('i.event_id', event_id).first('r.status', 'r.code');

    test('a decrease: preview, consent, a refund of exactly the difference; the payout follows the new price', async () => {
      await paid('bk_mod_dec');
      const p = await h.reader.get(`/preview/outcome?action=modify&booking_id=bk_mod_dec&by=guest&at=${encodeURIComponent(AT)}&nightly_total=20000`);
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.outcome.refund_to_guest, 10000);
      assert.equal(p.body.outcome.balance_due, 0);
      assert.deepEqual(p.body.outcome.deltas, { host_share: share(25000) - share(35000), platform_fees: -(Math.floor(35000 * 0.03) - Math.floor(25000 * 0.03)), taxes: 0 });
      assert.equal(p.body.outcome.host_fee_delta, Math.floor(25000 * 0.03) - Math.floor(35000 * 0.03));
      assert.equal(p.body.rule.policy, 'modification/standard');

      // no consent, or consent to another outcome: refused, nothing changes
      const none = modified('bk_mod_dec', { nightly_total: 20000 });
      await h.engine.event(none);
      const wrong = modified('bk_mod_dec', { nightly_total: 20000, consent: { outcome_hash: `sha256:${'0'.repeat(64)}`, actor: 'guest_1', consented_at: AT } });
      await h.engine.event(wrong);
      await h.settle();
      assert.deepEqual(await resultOf(none.id), { status: 'processed', code: 'consent_required' });
      assert.deepEqual(await resultOf(wrong.id), { status: 'processed', code: 'outcome_changed' });
      assert.equal(h.fake!.state.refunds.size, 0);

      const ok = modified('bk_mod_dec', { nightly_total: 20000, consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: AT } });
      assert.equal((await h.engine.event(ok)).status, 202);
      await h.settle();
      assert.deepEqual(await resultOf(ok.id), { status: 'processed', code: 'refund_of_difference' });
      const refunds = [...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_mod_dec');
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0]!.amount, 10000, 'exactly the difference');
      const decision = await h.sidecar.db('decisions').where({ booking_id: 'bk_mod_dec', action: 'modify', allowed: true }).first();
      assert.match(decision.consent_hash, /^sha256:/);
      assert.equal(decision.outcome_hash, p.body.outcome_hash);
      const view = await h.reader.get('/bookings/bk_mod_dec');
      assert.equal(view.body.state, 'paid');
      assert.equal(view.body.refunded_minor, 10000);
      assert.equal(view.body.balance_due_minor, 0);

      await h.engine.event(tick('2026-10-11T13:00:00Z'));
      await h.settle();
      const transfer = [...h.fake!.state.transfers.values()].find((t) => t.transfer_group === 'bk_mod_dec')!;
      assert.equal(transfer.amount, share(25000), 'the host payout follows the new price');
      for (const row of (await trialBalance(h.sidecar.db)).rows) assert.equal(row.debits_minor, row.credits_minor);
    });

    test('an increase: a balance due, settled by the next payment; the payout follows', async () => {
      await paid('bk_mod_inc');
      const p = await h.reader.get(`/preview/outcome?action=modify&booking_id=bk_mod_inc&by=guest&at=${encodeURIComponent(AT)}&nightly_total=36000&check_out=2026-10-14`);
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.outcome.balance_due, 6000);
      assert.equal(p.body.outcome.refund_to_guest, 0);
      const ev = modified('bk_mod_inc', { nightly_total: 36000, check_out: '2026-10-14', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: AT } });
      await h.engine.event(ev);
      await h.settle();
      assert.deepEqual(await resultOf(ev.id), { status: 'processed', code: 'balance_due' });
      const before = (await h.reader.get('/bookings/bk_mod_inc')).body;
      assert.equal(before.paid_minor, 42200);
      assert.equal(before.balance_due_minor, 6000, 'the balance due is visible');
      // ... and announced to the booking engine, once, due by the check-in moment (10-10 15:00 Paris)
      const announced = (await h.sidecar.db('outbound_events').where({ booking_id: 'bk_mod_inc', type: 'booking.balance_due' })).map((r: { body: string }) => JSON.parse(r.body));
      assert.equal(announced.length, 1);
      const decisionId = (await h.sidecar.db('decisions').where({ booking_id: 'bk_mod_inc', action: 'modify', allowed: true }).first('decision_id')).decision_id;
      assert.deepEqual({ ...announced[0].data, rule: announced[0].data.rule.policy }, { booking_id: 'bk_mod_inc', amount_minor: 6000, currency: 'USD', due_at: '2026-10-10T13:00:00Z', rule: 'modification/standard', decision_id: decisionId, entry_ids: [] });

      // the next payment with the booking's id settles it
      h.fake!.createPayment({ amount: 6000, currency: 'usd', metadata: { booking_id: 'bk_mod_inc' } });
      await h.settle();
      const entries = (await h.auditor.get('/ledger/entries?booking_id=bk_mod_inc')).body.entries as Array<{ kind: string; lines: Array<{ account: string; direction: string; amount_minor: number }> }>;
      const bal = entries.filter((e) => e.kind === 'balance_payment');
      assert.equal(bal.length, 1);
      assert.equal(bal[0]!.lines.find((l) => l.account === 'platform:stripe_balance:USD')!.amount_minor, 6000);
      const settled = (await h.reader.get('/bookings/bk_mod_inc')).body;
      assert.equal(settled.paid_minor, 48200);
      assert.equal(settled.balance_due_minor, 0);

      await h.engine.event(tick('2026-10-11T13:00:00Z'));
      await h.settle();
      const transfer = [...h.fake!.state.transfers.values()].find((t) => t.transfer_group === 'bk_mod_inc')!;
      assert.equal(transfer.amount, share(41000));
      assert.deepEqual((await verifyDecisions(h.sidecar.db)).problems, [], 'every decision re-derives from its recorded input');
      for (const row of (await trialBalance(h.sidecar.db)).rows) assert.equal(row.debits_minor, row.credits_minor);
    });

    test('an increase above the first charge: the payout goes out in full, funded by the platform balance', async () => {
      // Share after the change (listing 50000) exceeds the first charge (42200): Stripe refuses a
      // transfer above its source_transaction's amount, so the payout must not name that charge.
      await paid('bk_mod_up');
      const p = await h.reader.get(`/preview/outcome?action=modify&booking_id=bk_mod_up&by=guest&at=${encodeURIComponent(AT)}&nightly_total=45000`);
      assert.equal(p.status, 200, p.text);
      const due = p.body.outcome.balance_due as number;
      assert.ok(due > 0);
      await h.engine.event(modified('bk_mod_up', { nightly_total: 45000, consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: AT } }));
      await h.settle();
      h.fake!.createPayment({ amount: due, currency: 'usd', metadata: { booking_id: 'bk_mod_up' } });
      await h.settle();
      assert.equal((await h.reader.get('/bookings/bk_mod_up')).body.paid_minor, 42200 + due);
      assert.ok(share(50000) > 42200, 'the case: the share exceeds the first charge');
      await h.engine.event(tick('2026-10-11T13:00:00Z'));
      await h.settle();
      const transfers = [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === 'bk_mod_up');
      assert.equal(transfers.length, 1, 'one transfer, paid in full');
      assert.equal(transfers[0]!.amount, share(50000));
      assert.equal(transfers[0]!.source_transaction, null);
      const failed = await h.sidecar.db('outbox_intents').where({ booking_id: 'bk_mod_up', operation: 'transfer' });
      assert.equal(failed.length, 1);
      const entries = (await h.auditor.get('/ledger/entries?booking_id=bk_mod_up')).body.entries as Array<{ kind: string }>;
      assert.equal(entries.filter((e) => e.kind === 'host_transfer').length, 1, 'the payout is posted');
      assert.deepEqual((await verifyDecisions(h.sidecar.db)).problems, []);
    });

    test('bad preview queries and bad events answer problem+json and write nothing', async () => {
      await paid('bk_mod_bad');
      const before = await writtenCounts(h.sidecar.db);
      for (const q of ['nightly_total=abc', '', 'nightly_total=-5', 'check_in=2026-13-01', 'nightly_total=100&by=robot']) {
        const by = q.includes('by=') ? '' : '&by=guest';
        const r = await h.reader.get(`/preview/outcome?action=modify&booking_id=bk_mod_bad${by}&${q}`);
        assert.equal(r.status, 422, `${q}: ${r.text}`);
        assert.equal(r.body.code, 'validation_failed');
        assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      assert.equal((await h.reader.get('/preview/outcome?action=modify&booking_id=bk_nope&by=guest&nightly_total=1')).status, 404);
      const bad = await h.engine.event(modified('bk_mod_bad', { nightly_total: 1000, consent: { outcome_hash: 'nope', actor: 'g', consented_at: AT } }));
      assert.equal(bad.status, 422, bad.text);
      const onlyConsent = await h.engine.event(modified('bk_mod_bad', { consent: { outcome_hash: `sha256:${'1'.repeat(64)}`, actor: 'g', consented_at: AT } }));
      assert.equal(onlyConsent.status, 422, onlyConsent.text);
      assert.deepEqual(await writtenCounts(h.sidecar.db), before);
    });
  });
}
