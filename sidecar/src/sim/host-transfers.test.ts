import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import { hostTransfersNet } from './host-transfers.js';

const transfer = (id: string, destination: string, amount: number) => ({ id, destination, amount }) as Stripe.Transfer;
const reversal = (transfer: string, amount: number) => ({ transfer, amount }) as Stripe.TransferReversal;

describe('simulation: what each host received at Stripe', () => {
  test('a payout made and then reversed for a lost dispute equals the same payout with the host part withheld (seed 2661)', () => {
    const paidThenReversed = hostTransfersNet([transfer('tr_a', 'acct_h', 248417), transfer('tr_b', 'acct_h', 19885), transfer('tr_c', 'acct_h', 4656)], [reversal('tr_b', 19885)]);
    const withheld = hostTransfersNet([transfer('tr_a', 'acct_h', 248417), transfer('tr_c', 'acct_h', 4656)], []);
    assert.deepEqual(paidThenReversed, withheld);
    assert.deepEqual(withheld, ['stripe transfers less reversals to acct_h 253073']);
  });

  test('a partial reversal counts its amount only; a transfer wholly reversed is no line at all', () => {
    assert.deepEqual(hostTransfersNet([transfer('tr_a', 'acct_h', 10000)], [reversal('tr_a', 4000)]), hostTransfersNet([transfer('tr_x', 'acct_h', 6000)], []));
    assert.deepEqual(hostTransfersNet([transfer('tr_a', 'acct_h', 10000)], [reversal('tr_a', 10000)]), []);
  });

  test('a host paid more, another host, or a reversal of an unknown transfer still differs', () => {
    const base = hostTransfersNet([transfer('tr_a', 'acct_h', 10000)], []);
    assert.notDeepEqual(hostTransfersNet([transfer('tr_a', 'acct_h', 10000), transfer('tr_b', 'acct_h', 1)], []), base);
    assert.notDeepEqual(hostTransfersNet([transfer('tr_a', 'acct_g', 10000)], []), base);
    assert.notDeepEqual(hostTransfersNet([transfer('tr_a', 'acct_h', 10000)], [reversal('tr_zz', 500)]), base);
  });
});
