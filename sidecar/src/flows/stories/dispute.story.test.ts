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
