import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execSync } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('demo mode: npm start feeds the story, and the commands it prints work as printed', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const file = join(tmpdir(), `mybnb-demo-${process.pid}.sqlite`);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn' };
  delete env.SIDECAR_KEYS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'sidecar/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not finish starting:\n${out}`)), 150_000);
      const check = setInterval(() => {
        if (/npm run -s cli -- verify/.test(out)) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 200);
      child.on('exit', (code) => reject(new Error(`demo exited ${code}:\n${out}`)));
    });
    assert.match(out, /DEMO MODE/);
    for (const b of ['bk_demo_stay', 'bk_demo_cancel', 'bk_demo_upcoming', 'bk_demo_hostcancel']) assert.ok(out.includes(b), b);
    const commands = out.split('\n').map((l) => l.trim()).filter((l) => l.includes('npm run -s cli --'));
    assert.equal(commands.length, 4);
    const run = (cmd: string) => execSync(cmd, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SIDECAR_KEYS: '' }, timeout: 60_000 });
    const preview = JSON.parse(run(commands[0]!));
    assert.equal(preview.allowed, true);
    assert.match(preview.outcome_hash, /^sha256:[0-9a-f]{64}$/);
    const receipt = JSON.parse(run(commands[1]!));
    assert.equal(receipt.booking_id, 'bk_demo_cancel');
    assert.ok(receipt.refunded_minor > 0 && receipt.refunded_minor === receipt.cancellation.refund_to_guest);
    const statement = JSON.parse(run(commands[2]!));
    assert.equal(statement.host_id, 'host_demo_1');
    assert.equal(statement.bookings.length, 4);
    assert.match(run(commands[3]!), /verify: OK/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
  }
});
