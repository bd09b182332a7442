/**
 * CPU per `/healthz` request of the sidecar's HTTP layers added one at a time (each variant in a
 * process of its own, 16 in flight, rounds alternating the variants): what each layer costs.
 *
 *   node --import tsx bench/request-cpu/layers.ts [--rounds N] [--requests N]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../lib/args.js';
import { closedLoop, LoadClient, type PreparedRequest } from '../ingest/load.js';

const VARIANTS = ['node', 'express', 'express,noetag', 'express,helmet', 'express,access', 'express,metrics', 'express,raw', 'express,helmet,access,metrics,raw', 'express,helmet,access,metrics,raw,noetag'];
const args = parseArgs(process.argv.slice(2), { numbers: ['rounds', 'requests'] });
const rounds = (args.rounds as number | undefined) ?? 3;
const count = (args.requests as number | undefined) ?? 3000;
const script = join(dirname(fileURLToPath(import.meta.url)), 'layers-server.ts');

type Child = { p: ChildProcess; port: number };
const ask = (c: Child) => new Promise<number>((r) => {
  c.p.once('message', (m: { cpu: { user: number; system: number } }) => r((m.cpu.user + m.cpu.system) / 1000));
  c.p.send('cpu');
});
const children = new Map<string, Child>();
for (const v of VARIANTS) {
  const p = fork(script, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, LAYERS: v } });
  const port = await new Promise<number>((r) => p.once('message', (m: { port: number }) => r(m.port)));
  children.set(v, { p, port });
}
const requests: PreparedRequest[] = Array.from({ length: count }, () => ({ method: 'GET', path: '/healthz', headers: {} }));
const results = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const v of r % 2 ? [...VARIANTS].reverse() : VARIANTS) {
    const c = children.get(v)!;
    const client = new LoadClient(`http://127.0.0.1:${c.port}`, 16);
    await closedLoop(client, requests.slice(0, 500), 16);
    const t0 = await ask(c);
    const run = await closedLoop(client, requests, 16);
    const t1 = await ask(c);
    client.close();
    results.set(v, [...(results.get(v) ?? []), (t1 - t0) / run.count]);
  }
}
for (const c of children.values()) c.p.send('stop');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const v of VARIANTS) console.log(`${v.padEnd(45)} ${(median(results.get(v)!) * 1000).toFixed(0).padStart(5)} µs  (${results.get(v)!.map((x) => (x * 1000).toFixed(0)).join(', ')})`);
