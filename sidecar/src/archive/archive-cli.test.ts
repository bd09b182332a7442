import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../testing/databases.js';
import { startHarness } from '../testing/harness.js';
import { verifyLedger } from '../flows/ledger/index.js';
import { REPO_ROOT } from '../repo-root.js';
import { story } from './archive-suite.test-helper.js';

test('the CLI: export --archive, import --check, import into an empty SQLite file, and export --format jsonl still works', async () => {
  const t = await freshDatabase('sqlite');
  const h = await startHarness('sqlite', { stripe: true, t });
  const dir = join(tmpdir(), `mybnb-cli-archive-${process.pid}`);
  const file = `${dir}.jsonl.gz`;
  const into = `${dir}-into.sqlite`;
  try {
    await story(h);
    await h.sidecar.outbox?.stop();
    await h.sidecar.dispatcher.stop();
    const cli = (args: string[], url: string) => execFileSync(process.execPath, ['--import', 'tsx', 'sidecar/src/cli/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: url }, timeout: 120_000 });
    const src = `sqlite:${(t.target as { filename: string }).filename}`;
    assert.match(cli(['export', '--archive', file], src), /wrote .* rows in \d+ tables/);
    assert.match(cli(['import', file, '--check'], src), /archive OK/);
    const imported = cli(['import', file], `sqlite:${into}`);
    assert.match(imported, /import: OK/);
    const verified = cli(['verify'], `sqlite:${into}`);
    assert.match(verified, /verify: OK/);
    const jsonl = cli(['export', '--format', 'jsonl'], src).trim().split('\n');
    assert.equal(jsonl.length, (await verifyLedger(h.sidecar.db)).entries);
    assert.ok(JSON.parse(jsonl[0]!).entry_hash);
  } finally {
    await h.stop();
    await t.drop();
    for (const f of [file, into, `${into}-wal`, `${into}-shm`]) rmSync(f, { force: true });
  }
});
