/**
 * The simulator's own properties (issue #18): determinism of histories, fault plans and the
 * fault-free chain head, coverage of the generators, shrinking. The CI batch is simulation-batch.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_FAULTS, planFaults } from './faults.js';
import { generateHistory } from './history.js';
import { runHistory } from './driver.js';
import { shrinkHistory } from './simulate.js';


describe('simulation: the same seed gives the same history, faults and ledger', () => {
  test('history and fault plan are pure functions of the seed', () => {
    for (const seed of [1, 2, 77]) {
      assert.deepEqual(generateHistory(seed), generateHistory(seed));
      assert.deepEqual(planFaults(generateHistory(seed), ALL_FAULTS), planFaults(generateHistory(seed), ALL_FAULTS));
      assert.deepEqual(planFaults(generateHistory(seed), []).steps.every((s) => s.api.length === 0 && s.engineCopies === 1 && !s.restartBefore), true);
    }
    assert.notDeepEqual(generateHistory(1), generateHistory(2));
  });

  test('histories cover every shipped policy, several time zones, both cancellers, disputes and unpaid bookings', () => {
    const steps = Array.from({ length: 40 }, (_, i) => generateHistory(i + 1).steps).flat();
    const confirms = steps.flatMap((s) => (s.kind === 'confirm' ? [s.booking] : []));
    assert.deepEqual(new Set(confirms.map((b) => b.cancellation_policy)).size, 6);
    assert.ok(new Set(confirms.map((b) => b.time_zone)).size >= 5);
    assert.ok(confirms.some((b) => !b.paid));
    assert.ok(steps.some((s) => s.kind === 'cancel' && s.by === 'host') && steps.some((s) => s.kind === 'cancel' && s.by === 'guest'));
    assert.ok(steps.some((s) => s.kind === 'dispute'));
  });

  test('the fault-free run of a seed ends on the same chain head every time', { timeout: 600_000 }, async () => {
    const h = generateHistory(3);
    const a = await runHistory(h, { dialect: 'sqlite', faults: [] });
    const b = await runHistory(h, { dialect: 'sqlite', faults: [] });
    assert.deepEqual(a.problems, []);
    assert.ok(a.entries > 0);
    assert.equal(a.head_hash, b.head_hash);
  });

  test('shrinking keeps a failing history failing and makes it shorter', async () => {
    const h = generateHistory(3);
    const small = await shrinkHistory(h, async (x) => x.steps.some((s) => s.kind === 'cancel'));
    assert.equal(small.steps.length, 1);
    assert.equal(small.steps[0]!.kind, 'cancel');
  });
});

