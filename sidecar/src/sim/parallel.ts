import { spawn } from 'node:child_process';

/**
 * `--jobs N`: the seed range split into N contiguous parts, each run by a child process of this
 * same command (`--jobs 1`), its lines passed through as they come. A history's verdict depends
 * only on its seed, so splitting the range changes no verdict; it only uses more cores (a history
 * spends part of its time waiting on SQLite's fsync, timers and sockets, so N may exceed the cores).
 */
export type SeedRange = { first: number; count: number };

export function splitRange(first: number, count: number, jobs: number): SeedRange[] {
  const parts: SeedRange[] = [];
  const size = Math.floor(count / jobs);
  let extra = count % jobs;
  let next = first;
  for (let i = 0; i < jobs && next < first + count; i++) {
    const n = size + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    if (n === 0) continue;
    parts.push({ first: next, count: n });
    next += n;
  }
  return parts;
}

/** Runs each part in a child; resolves with the number of parts whose child exited non-zero. */
export async function runInChildren(parts: SeedRange[], passArgs: string[]): Promise<number> {
  const script = process.argv[1]!;
  const results = await Promise.all(
    parts.map(
      (p) =>
        new Promise<number>((resolve) => {
          const args = [...process.execArgv, script, ...passArgs, '--jobs', '1', '--seed', String(p.first), '--seeds', String(p.count)];
          const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
          let pending = '';
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (chunk: string) => {
            pending += chunk;
            const cut = pending.lastIndexOf('\n');
            if (cut < 0) return;
            process.stdout.write(`[${p.first}..${p.first + p.count - 1}] ${pending.slice(0, cut + 1).replace(/\n(?=.)/g, `\n[${p.first}..${p.first + p.count - 1}] `)}`);
            pending = pending.slice(cut + 1);
          });
          child.on('close', (code) => resolve(code === 0 ? 0 : 1));
        }),
    ),
  );
  return results.reduce((a, b) => a + b, 0);
}
