/**
 * Regression (found by the simulation, seed 2661): a host's Connect account restored by an
 * `account.updated` delivered late — after the tick that made a payout due — held that payout; the
 * guest's dispute of the whole charge was then lost, and the host's part (all of their share) was
 * withheld from the pending payout. Two differences from the fault-free run, which paid first and
 * reversed the transfer when the dispute was lost:
 * - the sidecar's: a share of 0 was "nothing held", so the payout was never decided and the
 *   booking's fees and taxes (earned at the payout) stayed held for ever (fixed in
 *   pipeline/handlers/clock.ts, pipeline/handlers/payout-nothing-left.test.ts);
 * - the simulation's: it compared transfers without their reversals (272,958 against 253,073, the
 *   same to the host; host-transfers.ts).
 * Late deliveries alone reproduce it (`--faults late`, once a subset of faults replayed the full
 * set's draws: faults.ts). SQLite only, as the batch's other single-seed regressions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planFaults } from './faults.js';
import { generateHistory } from './history.js';
import { checkHistory } from './simulate.js';

describe('simulation: a payout held by a late account.updated, then a dispute of the whole charge lost', () => {
  test('seed 2661 with late deliveries: the money ends where the fault-free run\'s does', { timeout: 600_000 }, async () => {
    const history = generateHistory(2661);
    const restore = history.steps.findIndex((s) => s.kind === 'account' && !s.restricted);
    const payoutTick = history.steps.findIndex((s, i) => i > restore && s.kind === 'tick');
    const plan = planFaults(history, ['late']);
    assert.ok(restore + plan.steps[restore]!.stripeDelay >= payoutTick, 'the restore reaches the sidecar after the payout tick (else this test proves nothing)');
    assert.ok(history.steps.some((s, i) => i > payoutTick && s.kind === 'dispute_close' && s.outcome === 'lost'));
    const v = await checkHistory(history, { dialect: 'sqlite', faults: ['late'] });
    assert.deepEqual(v.problems, []);
    assert.ok(!v.faulty!.movements.some((m) => /^booking:bk_s2661_0:(platform_fees|taxes):/.test(m)), 'no fee or tax of the disputed booking is left held');
  });
});
