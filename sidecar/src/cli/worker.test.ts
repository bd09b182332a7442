import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dialects, freshDatabase } from '../testing/databases.js';
import { toInt } from '../db/connect.js';

const events = readFileSync(new URL('../../../fixtures/golden/events.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const expected = JSON.parse(readFileSync(new URL('../../../fixtures/golden/expected.json', import.meta.url), 'utf8')) as { entries: number; head: string };
const CLI = new URL('./main.ts', import.meta.url).pathname;

const urlOf = (t: Awaited<ReturnType<typeof freshDatabase>>) => t.target.dialect === 'sqlite'
  ? `sqlite:${t.target.filename}`
  : `mysql://${encodeURIComponent(t.target.user)}:${encodeURIComponent(t.target.password)}@${t.target.host}:${t.target.port}/${t.target.database}`;

for (const dialect of dialects()) {
  test(`mybnb worker dispatches a stored inbox in its own process to the golden head, and stops on SIGTERM (${dialect})`, async () => {
    const t = await freshDatabase(dialect);
    try {
      for (let i = 0; i < events.length; i += 50) await t.db('inbox_events').insert(events.slice(i, i + 50));
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker'], { env: { ...process.env, DATABASE_URL: urlOf(t), LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout!.on('data', (d) => (output += String(d)));
      const deadline = Date.now() + 90_000;
      let head: { seq: unknown; entry_hash: string } | undefined;
      while (Date.now() < deadline) {
        head = await t.db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
        if (head && toInt(head.seq) >= expected.entries) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.equal(head?.entry_hash, expected.head);
      assert.match(output, /worker: stopped, lease released/);
    } finally {
      await t.drop();
    }
  });
}
