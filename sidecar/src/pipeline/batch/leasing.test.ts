import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { toInt } from '../../db/connect.js';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { DispatchLease } from './leasing.js';

const events = readFileSync(new URL('../../../../fixtures/golden/events.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const expected = JSON.parse(readFileSync(new URL('../../../../fixtures/golden/expected.json', import.meta.url), 'utf8')) as { entries: number; head: string };
const CHILD = new URL('./lease-child.test-helper.ts', import.meta.url).pathname;

for (const dialect of dialects()) {
  describe(`dispatch lease on ${dialect}`, () => {
    const dbs: TestDatabase[] = [];
    after(async () => {
      for (const t of dbs) await t.drop();
    });

    test('one holder at a time; a holder that stops beating is replaced after the time to live, and then loses it', async () => {
      const t = await freshDatabase(dialect);
      dbs.push(t);
      let now = 1_000_000;
      const clock = () => now;
      const a = new DispatchLease(t.db, 'a', { ttl_ms: 4000, beat_ms: 1000, now_ms: clock });
      const b = new DispatchLease(t.db, 'b', { ttl_ms: 4000, beat_ms: 1000, now_ms: clock });
      assert.equal(await a.ensure(), true);
      assert.equal(await b.ensure(), false, 'a holds it');
      now += 1500;
      assert.equal(await a.ensure(), true, 'a beats');
      now += 3000;
      assert.equal(await b.ensure(), false, 'a beat 3 s ago: still alive');
      now += 1500; // a silent for 4.5 s
      assert.equal(await b.ensure(), true, 'b takes over');
      now += 1000;
      assert.equal(await a.ensure(), false, 'a sees the new epoch and stops');
      await b.release();
      now += 1000;
      assert.equal(await a.ensure(), true, 'a released lease is free at once');
    });

    test('two processes: the holder is killed mid-log, the other takes over within 5 s, nothing applied twice or skipped', async () => {
      const t = await freshDatabase(dialect);
      dbs.push(t);
      for (let i = 0; i < events.length; i += 50) await t.db('inbox_events').insert(events.slice(i, i + 50));
      const lines: Array<{ holder: string; dispatched?: number; done?: boolean; at: number }> = [];
      const start = (holder: string): ChildProcess => {
        const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(t.target), holder, '3000', '500'], { stdio: ['ignore', 'pipe', 'inherit'] });
        createInterface({ input: child.stdout! }).on('line', (l) => lines.push({ ...JSON.parse(l), at: Date.now() }));
        return child;
      };
      const [a, b] = [start('a'), start('b')];
      const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
      // Wait for one of them to have dispatched a few batches, then kill it.
      const deadline = Date.now() + 60_000;
      while (lines.filter((l) => l.dispatched).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const first = lines.find((l) => l.dispatched)!;
      assert.ok(first, 'someone dispatched');
      const [holder, other] = first.holder === 'a' ? [a, b] : [b, a];
      const otherName = first.holder === 'a' ? 'b' : 'a';
      assert.equal(lines.filter((l) => l.dispatched && l.holder === otherName).length, 0, 'only the holder dispatches');
      holder.kill('SIGKILL');
      const killedAt = Date.now();
      await exited(holder);
      await Promise.race([exited(other), new Promise((r) => setTimeout(r, 90_000))]);
      other.kill('SIGKILL');
      const takeover = lines.find((l) => l.holder === otherName && l.dispatched);
      assert.ok(takeover, 'the other replica took over');
      assert.ok(takeover.at - killedAt < 5000, `took over after ${takeover.at - killedAt} ms`);
      const head = await t.db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
      assert.equal(head?.entry_hash, expected.head);
      assert.equal(toInt(head?.seq), expected.entries);
      const dupes = await t.db('event_results').groupBy('inbox_id').having(t.db.raw('count(*) > 1')).select('inbox_id');
      assert.deepEqual(dupes, []);
    });
  });
}
