/**
 * Simulated histories per second (issue #18): the same seeds played without faults (the baseline)
 * and with every fault on, on SQLite, and the cost of `verify`, `reconcile` (against the fake) and
 * the replay check per history beside the cost of playing it (verify/reconcile/replay ms are part
 * of the history's ms). Rewrites its section of docs/benchmarks.md.
 *
 *   node --import tsx bench/simulation/run.ts [--quick] [--seeds N] [--no-docs]
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseArgs } from '../lib/args.js';
import { rewriteSection } from '../lib/docs-section.js';
import { formatNumber, markdownTable } from '../lib/table.js';
import { generateHistory } from '../../sidecar/src/sim/history.js';
import { runHistory } from '../../sidecar/src/sim/driver.js';
import { ALL_FAULTS, type FaultKind } from '../../sidecar/src/sim/faults.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS_FILE = join(HERE, '..', '..', 'docs', 'benchmarks.md');
const args = parseArgs(process.argv.slice(2), { numbers: ['seeds'], flags: ['quick', 'no-docs'] });
const seeds = (args.seeds as number | undefined) ?? (args.quick ? 3 : 10);

async function measure(faults: FaultKind[]) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let verify = 0;
  let reconcile = 0;
  let replay = 0;
  let entries = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runHistory(generateHistory(seed), { dialect: 'sqlite', faults, deep: true });
    if (r.problems.length) throw new Error(`seed ${seed}: ${r.problems.join('; ')}`);
    verify += r.verify_ms;
    reconcile += r.reconcile_ms;
    replay += r.replay_ms;
    entries += r.entries;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { per_s: seeds / (ms / 1000), play_ms: ms / seeds, cpu_ms: (cpu.user + cpu.system) / 1000 / seeds, verify_ms: verify / seeds, reconcile_ms: reconcile / seeds, replay_ms: replay / seeds, entries: entries / seeds };
}

await runHistory(generateHistory(999), { dialect: 'sqlite', faults: [] }); // warm-up: template, JIT
const clean = await measure([]);
const faulty = await measure(ALL_FAULTS);
const table = markdownTable(
  ['run (SQLite)', 'histories/s', 'ms per history (wall)', 'CPU ms per history', 'verify ms', 'reconcile ms', 'replay ms', 'entries per history'],
  [
    ['baseline: fault-free', formatNumber(clean.per_s), formatNumber(clean.play_ms), formatNumber(clean.cpu_ms), formatNumber(clean.verify_ms), formatNumber(clean.reconcile_ms), formatNumber(clean.replay_ms), formatNumber(clean.entries)],
    ['all faults', formatNumber(faulty.per_s), formatNumber(faulty.play_ms), formatNumber(faulty.cpu_ms), formatNumber(faulty.verify_ms), formatNumber(faulty.reconcile_ms), formatNumber(faulty.replay_ms), formatNumber(faulty.entries)],
  ],
);
const body = `${seeds} seeds each, one process, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end (the machine is shared; figures scale with it).\n\n${table}\n`;
process.stdout.write(`${body}\n`);
if (!args['no-docs']) rewriteSection(DOCS_FILE, 'simulation', '## Simulation (issue #18)', body);
