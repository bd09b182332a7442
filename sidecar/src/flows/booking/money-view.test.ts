/**
 * A transfer is in flight until an entry confirms it was sent. A payout's deduction, posted at its
 * decision (`transfer:offset:<dec>`, no cash), confirms nothing: counting it would make a cancellation
 * or a lost dispute treat a payout still held up (an outage) as never decided.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { transferInFlight } from './money-view.js';
import { KIND } from '../vocabulary.js';
import type { JournalEntry } from '../ledger/index.js';

const hostTransfer = (idempotency_key: string, decision_id: string) =>
  ({ seq: 1, idempotency_key, kind: KIND.host_transfer, booking_id: 'bk_1', meta: { decision_id }, lines: [] }) as unknown as JournalEntry;
const intent = { decision_id: 'dec_1', params: JSON.stringify({ amount: 30000 }) };

describe('transfer in flight', () => {
  test('a decided transfer with no entry is in flight', () => {
    assert.equal(transferInFlight([], [intent]), 30000);
  });
  test('the deduction posted at the decision does not confirm the transfer', () => {
    assert.equal(transferInFlight([hostTransfer('transfer:offset:dec_1', 'dec_1')], [intent]), 30000);
  });
  test('the transfer Stripe reported confirms it', () => {
    assert.equal(transferInFlight([hostTransfer('transfer:offset:dec_1', 'dec_1'), hostTransfer('transfer:tr_1', 'dec_1')], [intent]), 0);
  });
});
