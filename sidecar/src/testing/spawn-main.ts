import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * The real entry points (`npm start`'s sidecar/src/main.ts, the CLI) as a newcomer or an operator
 * runs them: a process of its own, in any working directory, with exactly the environment given —
 * nothing inherited from the test runner (no DATABASE_URL, NODE_ENV or keys leaking in).
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** A minimal environment: PATH and HOME, the repository's policies, then `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), POLICY_DIR: join(REPO_ROOT, 'policies'), ...extra };
}

export function spawnEntry(entry: 'main' | 'cli', args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
  const file = join(REPO_ROOT, entry === 'main' ? 'sidecar/src/main.ts' : 'sidecar/src/cli/main.ts');
  return spawn(process.execPath, ['--import', TSX, file, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export type Finished = { code: number | null; stdout: string; stderr: string };

/** Runs an entry point to its end (killing it after `timeout_ms`: a refusal must not hang). */
export function runEntry(entry: 'main' | 'cli', args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeout_ms?: number }): Promise<Finished> {
  const child = spawnEntry(entry, args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout_ms ?? 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Until `output()` matches `pattern`, or fails if the child exits first or time runs out. */
export async function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeout_ms: number): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (!pattern.test(output())) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeout_ms} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Local addresses with a TCP socket listening on `port`, from the kernel's tables (Linux), e.g. ['127.0.0.1']. */
export function listeningAddresses(port: number): string[] | null {
  if (!existsSync('/proc/net/tcp')) return null;
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hexAddr, hexPort] = local.split(':') as [string, string];
      if (parseInt(hexPort, 16) !== port) continue;
      found.push(hexAddr.length === 8 ? hexAddr.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.') : `ipv6:${hexAddr}`);
    }
  }
  return found;
}
