import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, listeningAddresses, REPO_ROOT, spawnEntry, stopChild, waitForOutput } from '../testing/spawn-main.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// A newcomer's first start: nothing configured, run from a folder of its own (a fresh clone's
// working directory), with nothing inherited from this test's environment.
test('demo mode: says so, binds 127.0.0.1 only, keeps its database in data/demo/, feeds the story, and the commands it prints work as printed', { timeout: 200_000 }, async () => {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'mybnb-demo-'));
  const child = spawnEntry('main', [], { cwd, env: cleanEnv({ PORT: String(port), LOG_LEVEL: 'warn' }) });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  try {
    await waitForOutput(child, () => out, /DEMO MODE/, 120_000);
    assert.match(out.split('\n')[0]!, /^MyBnB Payments sidecar: DEMO MODE \(nothing configured\).*listening on 127\.0\.0\.1 only/, 'the first line says so');
    await waitForOutput(child, () => out, /npm run -s cli -- verify/, 180_000);
    for (const b of ['bk_demo_stay', 'bk_demo_cancel', 'bk_demo_upcoming', 'bk_demo_hostcancel']) assert.ok(out.includes(b), b);
    assert.match(out, new RegExp(`Listening on http://127\\.0\\.0\\.1:${port}`));
    assertLoopbackOnly(port);
    assertDemoDatabase(cwd);

    const commands = out.split('\n').map((l) => l.trim()).filter((l) => l.includes('npm run -s cli --'));
    assert.equal(commands.length, 4);
    const run = (cmd: string) => execSync(cmd, { cwd: REPO_ROOT, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
    const preview = JSON.parse(run(commands[0]!));
    assert.equal(preview.allowed, true);
    assert.match(preview.outcome_hash, /^sha256:[0-9a-f]{64}$/);
    const receipt = JSON.parse(run(commands[1]!));
    assert.equal(receipt.booking_id, 'bk_demo_cancel');
    assert.ok(receipt.refunded_minor > 0 && receipt.refunded_minor === receipt.cancellation.refund_to_guest);
    const statement = JSON.parse(run(commands[2]!));
    assert.equal(statement.host_id, 'host_demo_1');
    assert.equal(statement.bookings.length, 4);
    assert.match(commands[3]!, /DATABASE_URL=\S*data\/demo\/mybnb\.sqlite /);
    assert.match(run(commands[3]!), /verify: OK/);
  } finally {
    await stopChild(child);
    rmSync(cwd, { recursive: true, force: true });
  }
});

// `--demo` asks for it explicitly: the same loopback-only server and data/demo/ file (the story itself
// is the test above; this one stops once the server listens).
test('npm start -- --demo: says so, binds 127.0.0.1 only, data/demo/', { timeout: 150_000 }, async () => {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'mybnb-demo-'));
  const child = spawnEntry('main', ['--demo'], { cwd, env: cleanEnv({ PORT: String(port), LOG_LEVEL: 'info' }) });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  try {
    await waitForOutput(child, () => out, /"sidecar listening"/, 120_000);
    assert.match(out.split('\n')[0]!, /^MyBnB Payments sidecar: DEMO MODE \(--demo given\).*listening on 127\.0\.0\.1 only/);
    assertLoopbackOnly(port);
    assertDemoDatabase(cwd);
  } finally {
    await stopChild(child);
    rmSync(cwd, { recursive: true, force: true });
  }
});

function assertLoopbackOnly(port: number): void {
  const listening = listeningAddresses(port);
  if (listening) assert.deepEqual(listening, ['127.0.0.1'], 'only the loopback address listens');
}

function assertDemoDatabase(cwd: string): void {
  assert.ok(existsSync(join(cwd, 'data/demo/mybnb.sqlite')), 'the demo database is data/demo/mybnb.sqlite');
  assert.deepEqual(readdirSync(join(cwd, 'data')), ['demo'], 'nothing else under data/');
}
