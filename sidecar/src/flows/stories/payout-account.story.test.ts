import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { payoutHold, policyVersionOf } from '../../nora/index.js';
import { readFileSync } from 'node:fs';

// Issue #13: a host's NEW payout account receives nothing until the policy's holding period passed.
const V2 = policyVersionOf(JSON.parse(readFileSync(new URL('../../../../policies/payout_hold/standard/v2.json', import.meta.url), 'utf8')));

test('NORA: a changed account is held for new_account_hold_hours after the change; a first connection is not', () => {
  const host = (account_changed_at: string | null) => ({ subscription_status: null, account_changed_at });
  assert.deepEqual(payoutHold({ hold: V2, host: host('2026-10-11T00:00:00Z'), at: '2026-10-12T00:00:00Z' }), { held: true, reason: 'new_payout_account', until: '2026-10-14T00:00:00Z' });
  assert.deepEqual(payoutHold({ hold: V2, host: host('2026-10-11T00:00:00Z'), at: '2026-10-14T00:00:00Z' }), { held: false });
  assert.deepEqual(payoutHold({ hold: V2, host: host(null), at: '2026-10-12T00:00:00Z' }), { held: false });
});

for (const dialect of dialects()) {
  describe(`payout destination changes on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    const transfersOf = (booking_id: string) => [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id);

    test('host.connected re-pointing a host: the next payout is held (booking view and statement say why), then paid to the new account', async () => {
      await h.engine.event(hostConnected('host_move', 'acct_1OldAccount', '2026-09-01T09:00:00Z'));
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_move', payment_intent_id: 'pi_x', host_id: 'host_move', check_in: '2026-10-10', check_out: '2026-10-12' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_move' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      // an attacker (or a mistake) re-points the host the day the payout falls due
      await h.engine.event(hostConnected('host_move', 'acct_1NewAccount', '2026-10-11T00:00:00Z'));
      await h.engine.event(tick('2026-10-12T00:00:00Z'));
      await h.settle();
      assert.equal(transfersOf('bk_move').length, 0, 'nothing paid to the new account yet');
      const view = (await h.reader.get('/bookings/bk_move')).body;
      assert.equal(view.next_step.held.code, 'new_payout_account', JSON.stringify(view.next_step));
      const statement = (await h.reader.get('/hosts/host_move/statement')).body;
      assert.equal(statement.payout_holds.length, 1, JSON.stringify(statement));
      assert.equal(statement.payout_holds[0].code, 'new_payout_account');
      assert.match(statement.payout_holds[0].reason, /acct_1NewAccount.*until 2026-10-14T00:00:00Z.*payout_hold\/standard v2/);

      await h.engine.event(tick('2026-10-13T23:59:59Z'));
      await h.settle();
      assert.equal(transfersOf('bk_move').length, 0, 'still within the 72 h');
      await h.engine.event(tick('2026-10-14T00:00:00Z'));
      await h.settle();
      const transfers = transfersOf('bk_move');
      assert.equal(transfers.length, 1, 'paid once the holding period passed');
      assert.equal(transfers[0]!.destination, 'acct_1NewAccount');
      assert.equal((await h.reader.get('/hosts/host_move/statement')).body.payout_holds.length, 0, 'no hold left to show');
    });
  });
}
