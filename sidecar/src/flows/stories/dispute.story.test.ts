import { verifyProvenance } from '../../pipeline/verify-provenance.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';
import { allIntents } from '../outbox/intents.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../../fixtures/stripe/${name}.json`, import.meta.url), 'utf8'));

/** A dispute fixture re-pointed at one of our charges, with fresh ids. */
function disputeEvent(name: string, charge: string, pi: string, suffix: string) {
  const e = fixture(name);
  e.id = `evt_${suffix}`;
  const o = e.data.object;
  o.id = `dp_${suffix.split('_')[0]}`;
  o.charge = charge;
  o.payment_intent = pi;
  o.balance_transactions = o.balance_transactions.map((t: Record<string, unknown>) => ({ ...t, id: `${t.id as string}_${suffix.split('_')[0]}`, source: o.id }));
  return e;
}

for (const dialect of dialects()) {
  describe(`disputes on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await h.engine.event(hostConnected('host_1', 'acct_1DisputeHost', '2026-01-01T00:00:00Z'));
    });
    after(async () => h?.stop());

    async function paidOut(booking_id: string) {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_x' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.engine.event(checkedIn(booking_id, '2026-10-10T14:00:00Z'));
      await h.engine.event(tick('2026-10-11T14:00:00Z'));
      await h.settle();
      return { pi: pi.id, charge: String(pi.latest_charge) };
    }

    test('a lost dispute: withdrawal and fee posted once, the host bears it up to the payout (reversal), verified', async () => {
      const { pi, charge } = await paidOut('bk_dispute_lost');
      for (const [name, id] of [['charge.dispute.created', 'd1_created'], ['charge.dispute.funds_withdrawn', 'd1_withdrawn'], ['charge.dispute.closed', 'd1_closed']] as const) {
        const r = await postStripeWebhook(h.sidecar.url, disputeEvent(name, charge, pi, id), WEBHOOK_SECRET);
        assert.equal(r.status, 200, r.text);
      }
      await h.settle();
      const entries = (await h.auditor.get('/ledger/entries?booking_id=bk_dispute_lost')).body.entries as Array<{ kind: string }>;
      assert.equal(entries.filter((e) => e.kind === 'dispute_withdrawal').length, 1, 'the same withdrawal in three events is posted once');
      assert.equal(entries.filter((e) => e.kind === 'dispute_lost').length, 1);
      const reversals = [...h.fake!.state.transferReversals.values()].filter((r) => r.metadata?.booking_id === 'bk_dispute_lost');
      assert.equal(reversals.length, 1);
      assert.equal(reversals[0]!.amount, 5000, 'the host was paid more than the disputed 5000: the host bears all of it');
      const evidence = (await h.auditor.get('/bookings/bk_dispute_lost/evidence')).body.decisions as Array<{ action: string; policy: string }>;
      assert.ok(evidence.some((d) => d.action === 'dispute_lost' && d.policy === 'dispute/standard'));
    });

    test('a won dispute: withdrawn then reinstated, nothing borne but the fee', async () => {
      const { pi, charge } = await paidOut('bk_dispute_won');
      for (const [name, id] of [['charge.dispute.funds_withdrawn', 'd2_withdrawn'], ['charge.dispute.funds_reinstated--won', 'd2_reinstated'], ['charge.dispute.closed--won', 'd2_closed']] as const) {
        assert.equal((await postStripeWebhook(h.sidecar.url, disputeEvent(name, charge, pi, id), WEBHOOK_SECRET)).status, 200);
      }
      await h.settle();
      const tb = await trialBalance(h.sidecar.db);
      const held = tb.accounts.find((a) => a.account === 'booking:bk_dispute_won:dispute_held:USD');
      assert.equal(held?.balance_minor, 0n);
      assert.equal([...h.fake!.state.transferReversals.values()].filter((r) => r.metadata?.booking_id === 'bk_dispute_won').length, 0);
    });

    const reversalsOf = (booking_id: string) => [...h.fake!.state.transferReversals.values()].filter((r) => r.metadata?.booking_id === booking_id);
    const transfersOf = (booking_id: string) => [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id);
    async function lose(charge: string, pi: string, tag: string) {
      for (const [name, id] of [['charge.dispute.created', `${tag}_created`], ['charge.dispute.funds_withdrawn', `${tag}_withdrawn`], ['charge.dispute.closed', `${tag}_closed`]] as const) {
        assert.equal((await postStripeWebhook(h.sidecar.url, disputeEvent(name, charge, pi, id), WEBHOOK_SECRET)).status, 200);
      }
      await h.settle();
    }

    test('lost while the payout is held up by a Stripe outage: the host bears the same, reversed once the transfer lands', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_dispute_outage', payment_intent_id: 'pi_x' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_dispute_outage' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.engine.event(checkedIn('bk_dispute_outage', '2026-10-10T14:00:00Z'));
      const outage = h.fake!.faults.outage({ status: 503, method: 'POST', path: /^\/v1\/transfers$/ });
      await h.engine.event(tick('2026-10-11T14:00:00Z'));
      await h.settle();
      assert.equal(transfersOf('bk_dispute_outage').length, 0, 'the payout is decided but held up');
      await lose(String(pi.latest_charge), pi.id, 'd3');
      assert.equal(reversalsOf('bk_dispute_outage').length, 0, 'nothing to reverse yet');
      outage.end();
      const intent = (await allIntents(h.sidecar.db)).find((i) => i.booking_id === 'bk_dispute_outage' && i.operation === 'transfer')!;
      assert.equal(intent.status, 'retrying', 'the payout is still on its way (in flight) when the dispute closes');
      for (let i = 0; i < 8 && transfersOf('bk_dispute_outage').length === 0; i++) { // past the outbox's backoff
        await h.sidecar.outbox!.runOnce(Date.now() + 7 * 24 * 3600_000);
        await h.settle();
      }
      const paid = transfersOf('bk_dispute_lost')[0]!.amount;
      assert.deepEqual(transfersOf('bk_dispute_outage').map((t) => t.amount), [paid], 'the payout goes out as decided');
      assert.deepEqual(reversalsOf('bk_dispute_outage').map((r) => r.amount), [5000], 'and the host bears the disputed 5000, as when paid before the dispute');
      const lost = await h.sidecar.db('decisions').where({ booking_id: 'bk_dispute_outage', action: 'dispute_lost' });
      assert.equal(lost.length, 1);
      assert.equal(reversalsOf('bk_dispute_outage')[0]!.metadata?.decision_id, lost[0].decision_id, 'the reversal names the dispute decision');
    });

    test('lost before the payout is due: the host part is withheld from the payout, nothing to reverse', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_dispute_early', payment_intent_id: 'pi_x', check_in: '2026-11-20', check_out: '2026-11-23' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_dispute_early' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      await lose(String(pi.latest_charge), pi.id, 'd4');
      const lost = await h.sidecar.db('decisions').where({ booking_id: 'bk_dispute_early', action: 'dispute_lost' }).first('input', 'outcome');
      const outcome = typeof lost.outcome === 'string' ? JSON.parse(lost.outcome) : lost.outcome;
      assert.equal(outcome.host_bears, 5000);
      assert.equal(outcome.withheld_from_payout, 5000);
      await h.engine.event(checkedIn('bk_dispute_early', '2026-11-20T15:00:00Z'));
      await h.engine.event(tick('2026-11-22T14:00:00Z'));
      await h.settle();
      const paid = transfersOf('bk_dispute_lost')[0]!.amount;
      assert.deepEqual(transfersOf('bk_dispute_early').map((t) => t.amount), [paid - 5000], 'the payout less the host part of the loss');
      assert.equal(reversalsOf('bk_dispute_early').length, 0);
      const tb = await trialBalance(h.sidecar.db);
      assert.equal(tb.accounts.find((a) => a.account === 'booking:bk_dispute_early:host_share:USD')?.balance_minor ?? 0n, 0n, 'nothing left held for the host');
    });

    test('no event was dead-lettered: every report of an already-posted object is a replay', async () => {
      const dead = await h.sidecar.db('event_results').where({ status: 'dead_lettered' }).select('code', 'reason');
      assert.deepEqual(dead, []);
    });

    test('the ledger balances, verifies, and every decision re-derives', async () => {
      const tb = await trialBalance(h.sidecar.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, row.unit);
      assert.equal((await verifyLedger(h.sidecar.db)).ok, true);
      assert.deepEqual((await verifyDecisions(h.sidecar.db)).problems, []);
      assert.deepEqual((await verifyProvenance(h.sidecar.db)).problems, [], 'every entry and decision names a processed inbox event, in chain order');
    });
  });
}
