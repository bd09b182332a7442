/**
 * The CI batch of seeded marketplace histories (issue #18): each seed's history is played against
 * the real sidecar and the Stripe fake twice, with every fault on and without faults, and the
 * invariants (invariants.ts) and the comparison (simulate.ts) must hold. A failing seed names the
 * one command that reproduces it. MYBNB_SIM_SEEDS overrides the batch size.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { ALL_FAULTS, planFaults } from './faults.js';
import { generateHistory } from './history.js';
import { runHistory } from './driver.js';
import { checkSeed, reproduceCommand, shrinkHistory } from './simulate.js';

const SQLITE_SEEDS = Number(process.env.MYBNB_SIM_SEEDS ?? 40);
const MYSQL_SEEDS = Number(process.env.MYBNB_SIM_MYSQL_SEEDS ?? 3);

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

for (const dialect of dialects()) {
  const n = dialect === 'sqlite' ? SQLITE_SEEDS : MYSQL_SEEDS;
  describe(`simulation on ${dialect}: ${n} seeds, each with all faults and without`, () => {
    test(`seeds 1..${n} keep the books`, { timeout: 1_800_000 }, async () => {
      const failures: string[] = [];
      for (let seed = 1; seed <= n; seed++) {
        const v = await checkSeed(seed, { dialect, faults: ALL_FAULTS });
        if (!v.ok) failures.push(`seed ${seed}:\n  ${v.problems.join('\n  ')}\n  reproduce: ${reproduceCommand(seed, ALL_FAULTS, dialect)}`);
      }
      assert.deepEqual(failures, []);
    });
  });
}
