/**
 * Regression (found by the simulation with dearer stays, seeds 38 and 41, issue #18): a replica
 * killed (or a connection dropped) while the driver waited for a `booking.modified` to be dispatched
 * made the driver forget the guest's balance payment: the retried step re-sent the change but never
 * paid the balance. The faulty run then lacked the payment, its Stripe fee and the host's share of
 * it (seed 38: `stripe_fees` 335 and `fee_revenue` 315 less, the host 10,185 less) — a simulation
 * bug, not the sidecar's: with no balance paid, the sidecar rightly paid out only what it held.
 * The history is seed 38's, shrunk (fixtures/sim/); its fault plan kills a replica at that step.
 * SQLite only: the kill is planned at a statement count, which is the SQLite run's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALL_FAULTS, planFaults } from './faults.js';
import type { History } from './history.js';
import { checkHistory } from './simulate.js';

const history = JSON.parse(readFileSync(new URL('../../../fixtures/sim/seed38-dearer-stay-killed.json', import.meta.url), 'utf8')) as History;

describe('simulation: a dearer stay whose modification step is hit by a kill', () => {
  test('the guest still pays the balance once, and the money ends where the fault-free run\'s does', { timeout: 600_000 }, async () => {
    const modify = history.steps.findIndex((s) => s.kind === 'modify');
    const f = planFaults(history, ALL_FAULTS).steps[modify]!;
    assert.ok(f.killAt !== null || f.dropAt !== null, 'the plan hits the modification step (else this test proves nothing)');
    const v = await checkHistory(history, { dialect: 'sqlite', faults: ALL_FAULTS });
    assert.deepEqual(v.problems, []);
    assert.ok((v.faulty?.kills ?? 0) + (v.faulty?.drops ?? 0) >= 1, 'a kill or a drop fired');
    // the balance payment made it into both runs' books: its Stripe fee is posted in both
    const fees = (r: { movements: string[] }) => r.movements.find((m) => m.startsWith('platform:stripe_fees:'));
    assert.equal(fees(v.faulty!), fees(v.clean));
  });
});
