import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import { transfersLessReversals } from './host-transfers.js';
import { moneyEnded } from './money-ended.js';

const transfer = (id: string, booking_id: string, amount: number) => ({ id, destination: 'acct_h', currency: 'usd', transfer_group: booking_id, metadata: { booking_id }, amount }) as unknown as Stripe.Transfer;
const reversal = (transfer: string, amount: number) => ({ transfer, currency: 'usd', amount }) as unknown as Stripe.TransferReversal;
const hostOf = (booking_id: string) => (booking_id.startsWith('bk_g') ? 'host_g' : 'host_h');
/** What the simulation compares at Stripe: money-ended's lines for these transfers alone. */
const atStripe = (ts: Stripe.Transfer[], rs: Stripe.TransferReversal[]) => moneyEnded([], transfersLessReversals(ts, rs, hostOf)).movements;

describe('simulation: what each host received at Stripe, less reversals', () => {
  test('a payout made and then reversed for a lost dispute equals the same payout with the host part withheld (seed 2661)', () => {
    const paidThenReversed = atStripe([transfer('tr_a', 'bk_2', 248417), transfer('tr_b', 'bk_0', 19885), transfer('tr_c', 'bk_1', 4656)], [reversal('tr_b', 19885)]);
    const withheld = atStripe([transfer('tr_a', 'bk_2', 248417), transfer('tr_c', 'bk_1', 4656)], []);
    assert.deepEqual(paidThenReversed, withheld);
    assert.equal(withheld.length, 1);
    assert.match(withheld[0]!, / 253073$/);
  });

  test('a partial reversal counts its amount only; a transfer wholly reversed is no line at all', () => {
    assert.deepEqual(atStripe([transfer('tr_a', 'bk_1', 10000)], [reversal('tr_a', 4000)]), atStripe([transfer('tr_x', 'bk_1', 6000)], []));
    assert.deepEqual(atStripe([transfer('tr_a', 'bk_1', 10000)], [reversal('tr_a', 10000)]), []);
  });

  test('a host paid more, another host, or a reversal of an unknown transfer still differs', () => {
    const base = atStripe([transfer('tr_a', 'bk_1', 10000)], []);
    assert.notDeepEqual(atStripe([transfer('tr_a', 'bk_1', 10000), transfer('tr_b', 'bk_1', 1)], []), base);
    assert.notDeepEqual(atStripe([transfer('tr_a', 'bk_g1', 10000)], []), base);
    assert.notDeepEqual(atStripe([transfer('tr_a', 'bk_1', 10000)], [reversal('tr_zz', 500)]), base);
  });
});
