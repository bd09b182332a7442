import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dialects, freshDatabase, type TestDatabase } from './testing/databases.js';
import { ENGINE_KEY, READER_KEY } from './testing/harness.js';
import { SignedClient } from './client/signed-client.js';
import { tick } from './testing/events.js';
import { REPO_ROOT } from './repo-root.js';

/**
 * The production path, from outside: `npm run build` compiles to dist/, the compiled entry point
 * (what the Docker image runs: node dist/sidecar/src/main.js, no tsx) serves, and SIGTERM stops it
 * cleanly — no new connections, requests and the batch in hand finished, database closed, exit 0.
 */
const urlOf = (t: TestDatabase): string => {
  const d = t.target;
  return d.dialect === 'sqlite' ? `sqlite:${d.filename}` : `mysql://${encodeURIComponent(d.user)}:${encodeURIComponent(d.password)}@${d.host}:${d.port}/${d.database}`;
};

type Running = { child: ChildProcess; url: string; stdout: () => string; stderr: () => string; exited: Promise<number | null> };

async function launch(args: string[], t: TestDatabase): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH, PORT: '0', DATABASE_URL: urlOf(t), LOG_LEVEL: 'info', CLOCK_TICK_S: '0',
      SIDECAR_KEYS: `${ENGINE_KEY.keyId}:${ENGINE_KEY.secret}:booking-engine,${READER_KEY.keyId}:${READER_KEY.secret}:reader`,
      POLICY_DIR: join(REPO_ROOT, 'policies'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'sidecar listening' within 60 s: ${out}${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"sidecar listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${out}${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

describe('the compiled build', () => {
  before(() => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run build failed: ${r.stdout}${r.stderr}`);
    assert.ok(existsSync(join(REPO_ROOT, 'dist/sidecar/src/main.js')));
    assert.ok(existsSync(join(REPO_ROOT, 'dist/sidecar/src/cli/main.js')));
    assert.ok(!existsSync(join(REPO_ROOT, 'dist/sidecar/src/build.test.js')), 'tests are not built');
  });

  for (const dialect of dialects()) {
    describe(`on ${dialect}`, () => {
      let t: TestDatabase;
      before(async () => {
        t = await freshDatabase(dialect);
      });
      after(async () => t?.drop());

      test('the compiled entry point serves /healthz, and SIGTERM stops accepting, finishes what is in hand, closes the database and exits 0', async () => {
        // SQLite: the compiled entry itself; MySQL: `npm start`'s script, which runs dist/ when it is current.
        const args = dialect === 'sqlite' ? ['dist/sidecar/src/main.js'] : ['scripts/start.mjs'];
        const s = await launch(args, t);
        try {
          const health = await fetch(`${s.url}/healthz`);
          assert.equal(health.status, 200);
          assert.deepEqual(await health.json(), { status: 'ok' });
          if (dialect !== 'sqlite') assert.doesNotMatch(s.stderr(), /building|rebuilding/, 'a current dist/ is run as it is');
          const engine = new SignedClient(s.url, ENGINE_KEY);
          const events = Array.from({ length: 40 }, (_, i) => tick(`2026-03-01T00:${String(i).padStart(2, '0')}:00Z`));
          const first = await engine.event(events[0]!);
          assert.equal(first.status, 202);
          // the rest in flight when SIGTERM arrives
          const inFlight = events.slice(1).map((e) => engine.event(e).then((r) => ({ id: e.id, status: r.status }), () => ({ id: e.id, status: 0 })));
          await new Promise((r) => setTimeout(r, 5));
          s.child.kill('SIGTERM');
          const replies = await Promise.all(inFlight);
          const code = await Promise.race([s.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000))]);
          assert.equal(code, 0, `exit code after SIGTERM: ${s.stderr()}`);
          assert.match(s.stdout(), /"signal":"SIGTERM"/);
          await assert.rejects(fetch(`${s.url}/healthz`), 'nothing listens after exit');

          const acked = [events[0]!.id, ...replies.filter((r) => r.status === 202).map((r) => r.id)];
          const stored = new Set((await t.db('inbox_events').where({ source: 'booking' }).select('event_id')).map((r: { event_id: string }) => r.event_id));
          for (const id of acked) assert.ok(stored.has(id), `acknowledged event ${id} is stored`);
          // dispatch finished whole batches: the events with a result are a prefix of the inbox
          const ids = (await t.db('inbox_events').orderBy('id').select('id')).map((r: { id: number }) => Number(r.id));
          const done = new Set((await t.db('event_results').select('inbox_id')).map((r: { inbox_id: number }) => Number(r.inbox_id)));
          const firstUndone = ids.findIndex((id) => !done.has(id));
          if (firstUndone >= 0) assert.ok(ids.slice(firstUndone).every((id) => !done.has(id)), 'no hole in what was dispatched');
        } finally {
          if (s.child.exitCode === null) s.child.kill('SIGKILL');
        }
      });
    });
  }
});
