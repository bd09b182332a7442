/**
 * Regression (seed 2612, `--faults late`, issue #18): a simulation artefact, not a sidecar bug. The
 * host's account is restricted, then restored the day its payout falls due; with faults the
 * restoring `account.updated` comes late, so the tick holds the payout (rightly: the sidecar knows
 * only what it was told). A host cancellation of another booking then books a 28,450 penalty, and
 * the payout released at the next tick deducts it (transfer 89,017). The fault-free run paid
 * 117,467 at the tick, before the penalty, and no payout came after: the penalty stayed receivable.
 * Both follow money-flows flow 5 ("each later payout deducts"); the comparison failed them because
 * it did not count what a host still owes (money-ended.ts). The history is seed 2612's, shrunk
 * (fixtures/sim/); only late deliveries are on, drawn from the seed, so it plays the same on both dialects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dialects } from '../testing/databases.js';
import { planFaults } from './faults.js';
import type { History } from './history.js';
import { checkHistory } from './simulate.js';

const history = JSON.parse(readFileSync(new URL('../../../fixtures/sim/seed2612-penalty-after-late-release.json', import.meta.url), 'utf8')) as History;

for (const dialect of dialects()) {
  describe(`simulation on ${dialect}: a payout held by a late account.updated, released after a host penalty`, () => {
    test('the penalty comes off the released payout; the money ends where the fault-free run\'s does, the penalty counted as owed there', { timeout: 600_000 }, async () => {
      const restored = history.steps.findIndex((s) => s.kind === 'account' && !s.restricted);
      const tick = history.steps.findIndex((s) => s.kind === 'tick');
      assert.ok(restored >= 0 && tick === restored + 1, 'the account is restored just before the tick that pays');
      assert.ok(planFaults(history, ['late']).steps[restored]!.stripeDelay >= 1, 'the restoring account.updated comes after that tick (else this test proves nothing)');
      const v = await checkHistory(history, { dialect, faults: ['late'] });
      assert.deepEqual(v.problems, []);
      // what happened: without faults the penalty is still owed at the end; with them it was deducted
      assert.deepEqual(v.clean.owed, ['host:host_s2612_0:penalties_receivable:USD USD 28450']);
      assert.deepEqual(v.faulty!.owed, []);
      assert.ok(v.clean.movements.includes('stripe transfers to host_s2612_0 USD less what is still owed 89017'));
    });
  });
}
