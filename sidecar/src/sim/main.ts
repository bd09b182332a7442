/**
 * `npm run simulate -- --seeds N [--seed S] [--faults all|none|a,b] [--dialect sqlite|mysql] [--no-shrink] [--jobs J]`
 * Runs N seeded marketplace histories (from S, default 1) against the real sidecar and the Stripe
 * fake, each with faults and without, and checks the invariants. A failing seed prints the command
 * that reproduces it and the shrunk history. Exit code 1 when any seed fails.
 */
import { parseArgs } from 'node:util';
import { ALL_FAULTS, type FaultKind } from './faults.js';
import { generateHistory } from './history.js';
import { runInChildren, splitRange } from './parallel.js';
import { checkHistory, failsTheSameWay, reproduceCommand, shrinkHistory } from './simulate.js';
import type { Dialect } from '../testing/databases.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    faults: { type: 'string', default: 'all' },
    dialect: { type: 'string', default: 'sqlite' },
    'no-shrink': { type: 'boolean', default: false },
    jobs: { type: 'string', default: '1' },
  },
});
const faults: FaultKind[] = values.faults === 'all' ? ALL_FAULTS : values.faults === 'none' ? [] : (values.faults!.split(',') as FaultKind[]);
for (const f of faults) if (!ALL_FAULTS.includes(f)) throw new Error(`unknown fault ${f}; known: ${ALL_FAULTS.join(', ')}`);
const dialect = values.dialect as Dialect;
const first = Number(values.seed);
const count = Number(values.seeds);
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a whole number ≥ 1, got ${values.jobs}`);
const started = Date.now();
if (jobs > 1) {
  const passArgs = ['--faults', values.faults!, '--dialect', dialect, ...(values['no-shrink'] ? ['--no-shrink'] : [])];
  const failedParts = await runInChildren(splitRange(first, count, jobs), passArgs);
  const s = (Date.now() - started) / 1000;
  process.stdout.write(`${jobs} jobs: seeds ${first}..${first + count - 1} on ${dialect} in ${s.toFixed(1)} s (${(count / s).toFixed(2)} histories/s); ${failedParts === 0 ? 'every part green' : `${failedParts} part(s) with failing seeds (see FAILED above)`}\n`);
  process.exit(failedParts === 0 ? 0 : 1);
}
let failed = 0;
for (let seed = first; seed < first + count; seed++) {
  const history = generateHistory(seed);
  const v = await checkHistory(history, { dialect, faults });
  if (v.ok) {
    process.stdout.write(`seed ${seed}: ok (${history.steps.length} steps, ${v.clean.entries} entries, head ${v.clean.head_hash.slice(0, 19)}…, ${v.ms} ms)\n`);
    continue;
  }
  failed++;
  process.stdout.write(`seed ${seed}: FAILED\n  ${v.problems.join('\n  ')}\n  reproduce: ${reproduceCommand(seed, faults, dialect)}\n`);
  if (!values['no-shrink']) {
    const small = await shrinkHistory(history, async (h) => failsTheSameWay(v.problems, (await checkHistory(h, { dialect, faults })).problems));
    process.stdout.write(`  shrunk to ${small.steps.length} of ${history.steps.length} steps:\n${small.steps.map((s) => `    ${JSON.stringify(s)}`).join('\n')}\n`);
  }
}
const s = (Date.now() - started) / 1000;
process.stdout.write(`${count - failed}/${count} seeds green on ${dialect} with faults [${faults.join(',') || 'none'}] in ${s.toFixed(1)} s (${(count / s).toFixed(2)} histories/s, each run with and without faults)\n`);
process.exit(failed === 0 ? 0 : 1);
