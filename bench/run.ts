/**
 * `npm run bench`: the ledger, growth, ingest, preview, outbound and simulation benches in sequence, each in its own node
 * process (so one bench's heap and JIT state never colour the next), each rewriting its own section
 * of docs/benchmarks.md.
 *
 *   npm run bench [-- --quick] [-- --no-docs]
 *
 * --quick    every bench at its smoke size (the whole run in about two minutes).
 * --no-docs  print the tables only.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCHES = ['ledger', 'growth', 'ingest', 'preview', 'outbound', 'simulation'] as const;

function runBench(name: string, flags: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, name, 'run.ts'), ...flags], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const args = parseArgs(process.argv.slice(2), { flags: ['quick', 'no-docs'] });
const flags = [...(args.quick ? ['--quick'] : []), ...(args['no-docs'] ? ['--no-docs'] : [])];
const started = Date.now();
const failed: string[] = [];
for (const name of BENCHES) {
  process.stderr.write(`\n== bench/${name} ${flags.join(' ')}\n`);
  const t0 = Date.now();
  const code = await runBench(name, flags);
  process.stderr.write(`== bench/${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  if (code !== 0) failed.push(name);
}
process.stderr.write(`\nall benches: ${((Date.now() - started) / 1000).toFixed(0)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
process.exitCode = failed.length ? 1 : 0;
