/**
 * Regression (found by the simulation's 5,000-seed run, seed 4282): a host owing a cancellation
 * penalty; their other booking's payout went wholly to that penalty (no transfer); the guest's
 * dispute of that booking, reported late — after the payout — was lost. The dispute's liability
 * counted only transferred cash as "paid to the host", so the platform bore the host's part
 * (dispute losses 36,000 against the fault-free run's 11,653, where the dispute closed before the
 * payout and the host's part was withheld). Now what a payout settled instead of transferring is
 * paid too, and the host's part of it is owed again (nora/dispute.ts `reowed`). `--faults late`
 * alone reproduces it. SQLite only, as the batch's other single-seed regressions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateHistory } from './history.js';
import { checkHistory } from './simulate.js';

describe('simulation: a dispute lost after a payout that went wholly to a penalty', () => {
  test('seed 4282 with late deliveries: the host bears the same part, owed again, as in the fault-free run', { timeout: 600_000 }, async () => {
    const history = generateHistory(4282);
    assert.ok(history.steps.some((s) => s.kind === 'cancel' && s.by === 'host'), 'a host cancellation books the penalty');
    assert.ok(history.steps.some((s) => s.kind === 'dispute_close' && s.outcome === 'lost'));
    const v = await checkHistory(history, { dialect: 'sqlite', faults: ['late'] });
    assert.deepEqual(v.problems, []);
    assert.deepEqual(v.faulty!.owed, v.clean!.owed, 'the penalty owed at the end is the same');
    assert.ok(v.faulty!.owed.some((o) => o.startsWith('host:host_s4282_0:penalties_receivable:')));
  });
});
