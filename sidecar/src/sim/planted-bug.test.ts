/**
 * The simulation catches a planted bug (issue #18): with MYBNB_PLANTED_BUG=skip_idempotency the
 * outbox calls Stripe without its idempotency key, so a reply lost after Stripe committed makes the
 * retry pay again. The same small batch of seeds is green without the flag and red with it. The
 * production configuration refuses to start with the flag set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_FAULTS } from './faults.js';
import { generateHistory } from './history.js';
import { runHistory } from './driver.js';
import { loadConfig } from '../config.js';

// The first seeds of the CI batch (sim/simulation.test.ts), played with every fault on; the
// invariants alone decide (the comparison with the fault-free run is the CI batch's own check).
const BATCH = [1, 2, 3, 4, 5];

async function failingSeeds(): Promise<Array<{ seed: number; problems: string[] }>> {
  const out = [];
  for (const seed of BATCH) {
    const r = await runHistory(generateHistory(seed), { dialect: 'sqlite', faults: ALL_FAULTS });
    if (r.problems.length > 0) out.push({ seed, problems: r.problems });
  }
  return out;
}

test('the CI batch is green without the planted bug and catches it with the bug planted', { timeout: 1_200_000 }, async () => {
  delete process.env.MYBNB_PLANTED_BUG;
  assert.deepEqual(await failingSeeds(), [], 'green without the bug');
  process.env.MYBNB_PLANTED_BUG = 'skip_idempotency';
  try {
    const caught = await failingSeeds();
    assert.ok(caught.length > 0, 'at least one seed of the batch fails with the bug planted');
    const all = caught.flatMap((c) => c.problems).join('\n');
    assert.match(all, /paid \d+ times|refunds at Stripe for|not exactly one refund|transfers at Stripe for/, 'it fails for the reason the bug causes: money moved twice');
  } finally {
    delete process.env.MYBNB_PLANTED_BUG;
  }
});

test('the production configuration refuses to start with a planted bug, naming the variable', () => {
  assert.throws(() => loadConfig({ MYBNB_PLANTED_BUG: 'skip_idempotency', DATABASE_URL: 'sqlite::memory:' }), /MYBNB_PLANTED_BUG/);
});
