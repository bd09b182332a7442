import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../testing/harness.js';
import { confirmed, eventId, total } from '../testing/events.js';
import { simulatePolicy } from './simulate.js';

const FIRM = JSON.parse(readFileSync(new URL('../../../policies/cancellation/firm/v1.json', import.meta.url), 'utf8'));

describe('policy simulate (sqlite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('sqlite', { stripe: true });
    const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_sim', payment_intent_id: 'pi_x', cancellation_policy: 'firm' });
    const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_sim' } });
    ev.data.payment_intent_id = pi.id;
    await h.engine.event(ev);
    await h.settle();
    const at = '2026-09-20T14:00:00Z'; // 20 days before check-in: firm v1 refunds 50%
    const p = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_sim&by=guest&at=${at}`);
    await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: 'bk_sim', by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: at } } });
    await h.settle();
  });
  after(async () => h?.stop());

  test('a candidate that widens the full-refund window reports the changed outcome and the money it would move', async () => {
    const candidate = structuredClone(FIRM);
    candidate.version = 2;
    candidate.rules.windows[0].when.min_before_check_in = { days: 14 };
    const report = await simulatePolicy(h.sidecar.db, candidate);
    assert.equal(report.decisions_considered, 1);
    assert.equal(report.outcomes_changed, 1);
    assert.equal(report.money_moved.USD!.refund_delta_minor, 15000 + 4200 + 1500, 'the other half of the nights, now the service fee too (a full refund), and the rest of the taxes');
    assert.ok(report.money_moved.USD!.host_payout_delta_minor < 0);
  });

  test('the published version itself changes nothing', async () => {
    const report = await simulatePolicy(h.sidecar.db, FIRM);
    assert.equal(report.outcomes_changed, 0);
  });
});
