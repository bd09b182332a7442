import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from '../../sidecar/src/testing/databases.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sidecar', 'src', 'cli', 'main.ts');
const TICKS_PER_S = 100; // USER_HZ on Linux

/** `mybnb worker` on the bench's database, in a process of its own: dispatch off the sidecar's event loop. */
export class WorkerProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(t: TestDatabase): Promise<WorkerProcess> {
    const url = t.target.dialect === 'sqlite'
      ? `sqlite:${t.target.filename}`
      : `mysql://${encodeURIComponent(t.target.user)}:${encodeURIComponent(t.target.password)}@${t.target.host}:${t.target.port}/${t.target.database}`;
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker'], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('worker: dispatching')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`mybnb worker exited with ${code}: ${out}`)));
    });
    return new WorkerProcess(child);
  }

  /** CPU time (user + system) the worker has used so far, from /proc (Linux); 0 where there is none. */
  cpuMs(): number {
    try {
      const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
    } catch {
      return 0;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    await exited;
  }
}
