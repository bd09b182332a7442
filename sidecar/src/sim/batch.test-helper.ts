/**
 * The CI batch of seeded marketplace histories (issue #18): each seed's history is played against
 * the real sidecar and the Stripe fake twice, with every fault on and without faults, and the
 * invariants (invariants.ts) and the comparison (simulate.ts) must hold. A failing seed names the
 * one command that reproduces it. MYBNB_SIM_SEEDS / MYBNB_SIM_MYSQL_SEEDS override the batch size
 * (the runner gives a test file 240 s; see docs/benchmarks.md for what a seed costs).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialect } from '../testing/databases.js';
import { ALL_FAULTS } from './faults.js';
import { checkSeed, reproduceCommand } from './simulate.js';


export function batch(dialect: Dialect, n: number): void {
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
