/**
 * Issue #12, part 2: a host's Connect account restricted (account.updated) → the payout is held,
 * not attempted and not failed, visible with its reason on the booking and the host's statement;
 * restored → released by the next tick and paid exactly once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { rekeyed, writtenCounts, type StripeEventJson } from '../../http/stripe-fixtures.test-helper.js';

const ACCT = 'acct_1ConnectHeldHost';

function accountUpdated(created: string, state: { transfers: 'active' | 'inactive' | 'pending'; payouts_enabled: boolean; charges_enabled: boolean; disabled_reason: string | null }): StripeEventJson {
  const e = rekeyed('account.updated', Math.floor(Date.parse(created) / 1000));
  (e as unknown as { account: string }).account = ACCT;
  const o = e.data.object as Record<string, unknown>;
  o.id = ACCT;
  o.charges_enabled = state.charges_enabled;
  o.payouts_enabled = state.payouts_enabled;
  (o.capabilities as Record<string, string>).transfers = state.transfers;
  (o.requirements as Record<string, unknown>).disabled_reason = state.disabled_reason;
  return e;
}

for (const dialect of dialects()) {
  describe(`Connect account state on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    test('restricted → payout held and visible; restored → paid exactly once', async () => {
      await h.engine.event(hostConnected('host_ca', ACCT, '2026-09-01T09:00:00Z'));
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_ca_1', payment_intent_id: 'pi_placeholder', host_id: 'host_ca' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_ca_1' } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();

      // the fixture's own shape: requirements past due, transfers inactive
      const restricted = await postStripeWebhook(h.sidecar.url, accountUpdated('2026-10-05T00:00:00Z', { transfers: 'inactive', payouts_enabled: false, charges_enabled: false, disabled_reason: 'requirements.past_due' }), WEBHOOK_SECRET);
      assert.equal(restricted.status, 200, restricted.text);
      await h.settle();
      const state = await h.sidecar.db('host_account_states').where({ stripe_account_id: ACCT });
      assert.equal(state.length, 1);
      assert.deepEqual([Boolean(state[0].charges_enabled), Boolean(state[0].payouts_enabled), state[0].transfers_capability, state[0].disabled_reason], [false, false, 'inactive', 'requirements.past_due']);

      await h.engine.event(tick('2026-10-11T13:00:00Z')); // the payout is due now
      await h.settle();
      assert.equal(h.fake!.state.transfers.size, 0, 'not attempted');
      assert.equal(h.fake!.state.requests.filter((q) => q.path === '/v1/transfers').length, 0, 'not even tried');
      assert.equal((await h.sidecar.db('outbox_intents').where({ booking_id: 'bk_ca_1', operation: 'transfer' })).length, 0, 'not failed either: no intent');
      const view = await h.reader.get('/bookings/bk_ca_1');
      assert.equal(view.body.next_step.action, 'host_payout');
      assert.equal(view.body.next_step.held.code, 'account_restricted');
      assert.match(view.body.next_step.held.reason, /requirements\.past_due/);
      let st = await h.reader.get('/hosts/host_ca/statement?from=2026-09-01&to=2026-10-31');
      assert.equal(st.status, 200, st.text);
      assert.equal(st.body.held_payouts.length, 1);
      assert.equal(st.body.held_payouts[0].booking_id, 'bk_ca_1');
      assert.equal(st.body.held_payouts[0].code, 'account_restricted');
      const share = 35000 - Math.floor(35000 * 300 / 10000);
      assert.equal(st.body.held_payouts[0].amount_minor, share);

      await h.engine.event(tick('2026-10-12T13:00:00Z')); // still restricted: still held, one hold row
      await h.settle();
      assert.equal(h.fake!.state.transfers.size, 0);
      assert.equal((await h.sidecar.db('payout_holds').where({ booking_id: 'bk_ca_1' })).length, 1);

      // a signed but malformed account object records nothing
      const junk = accountUpdated('2026-10-12T14:00:00Z', { transfers: 'active', payouts_enabled: true, charges_enabled: true, disabled_reason: null });
      (junk.data.object as Record<string, unknown>).charges_enabled = 'yes';
      await postStripeWebhook(h.sidecar.url, junk, WEBHOOK_SECRET);
      await h.settle();
      assert.equal((await h.sidecar.db('host_account_states').where({ stripe_account_id: ACCT })).length, 1, 'an invalid account object records no state');
      // an unsigned one is refused at the door and writes nothing
      const before = await writtenCounts(h.sidecar.db);
      const unsigned = await postStripeWebhook(h.sidecar.url, accountUpdated('2026-10-12T15:00:00Z', { transfers: 'active', payouts_enabled: true, charges_enabled: true, disabled_reason: null }), 'whsec_wrong_secret_0123456789');
      assert.equal(unsigned.status, 401);
      assert.equal(unsigned.body.code, 'signature_invalid');
      assert.deepEqual(await writtenCounts(h.sidecar.db), before);

      await postStripeWebhook(h.sidecar.url, accountUpdated('2026-10-13T00:00:00Z', { transfers: 'active', payouts_enabled: true, charges_enabled: true, disabled_reason: null }), WEBHOOK_SECRET);
      await h.settle();
      await h.engine.event(tick('2026-10-13T01:00:00Z')); // released by the next tick
      await h.settle();
      await h.engine.event(tick('2026-10-14T01:00:00Z'));
      await h.settle();
      assert.equal(h.fake!.state.transfers.size, 1, 'paid exactly once');
      const transfer = [...h.fake!.state.transfers.values()][0]!;
      assert.equal(transfer.amount, share);
      assert.equal(transfer.destination, ACCT);
      assert.equal((await h.reader.get('/bookings/bk_ca_1')).body.state, 'paid_out');
      st = await h.reader.get('/hosts/host_ca/statement?from=2026-09-01&to=2026-10-31');
      assert.deepEqual(st.body.held_payouts, []);
      assert.equal(st.body.bookings[0].transfers_minor, share);
    });
  });
}
