import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { freshDatabase, mysqlSkipped, type Dialect, type TestDatabase } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { cancelRequested, checkedIn, confirmed, hostConnected, tick, total } from '../testing/events.js';
import { listTables } from '../db/tables.js';
import { verifyLedger } from '../flows/ledger/index.js';
import { verifyDecisions } from '../pipeline/verify-decisions.js';
import { replayInto } from '../pipeline/replay.js';
import { exportArchive, importArchive, readArchive } from './archive.js';

const silent = pino({ level: 'silent' });

/** A ledger with payments, a payout, a refunded cancellation and evidence. */
export async function story(h: Harness): Promise<void> {
  const fake = h.fake!;
  const a = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_ar_1', payment_intent_id: 'pi_placeholder' });
  a.data.payment_intent_id = fake.createPayment({ amount: total(a.data), currency: 'usd', metadata: { booking_id: 'bk_ar_1' } }).id;
  const b = confirmed('2026-09-01T11:00:00Z', { booking_id: 'bk_ar_2', payment_intent_id: 'pi_placeholder', cancellation_policy: 'flexible', check_in: '2026-09-20', check_out: '2026-09-22', guest_id: 'guest_2' });
  b.data.payment_intent_id = fake.createPayment({ amount: total(b.data), currency: 'usd', metadata: { booking_id: 'bk_ar_2' } }).id;
  for (const e of [hostConnected('host_1', 'acct_1HostArchive', '2026-09-01T09:00:00Z'), a, b]) assert.equal((await h.engine.event(e)).status, 202);
  await h.settle();
  const at = '2026-09-05T08:00:00Z';
  const preview = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_ar_2&by=guest&at=${at}`);
  assert.equal(preview.status, 200, preview.text);
  await h.engine.event(cancelRequested('bk_ar_2', 'guest', preview.body.outcome_hash, at, 'guest_2'));
  await h.engine.event(checkedIn('bk_ar_1', '2026-10-10T13:05:00Z'));
  await h.settle();
  await h.engine.event(tick('2026-10-11T13:00:00Z'));
  await h.settle();
}

export async function counts(db: TestDatabase['db']): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // the leases (which replica ticks, which dispatches) are not data and not archived
  for (const t of await listTables(db)) if (!t.startsWith('knex_') && t !== 'dispatch_lease' && t !== 'clock_lease_claims') out[t] = Number((await db(t).count({ n: '*' }).first())?.n);
  return out;
}

const pairs: Array<[Dialect, Dialect]> = mysqlSkipped() ? [['sqlite', 'sqlite']] : [['sqlite', 'sqlite'], ['mysql', 'mysql'], ['sqlite', 'mysql']];

/** The export → import suite from one source dialect (one test file per source: each has its own time budget). */
export function archiveSuite(source: Dialect): void {
  describe(`archive from ${source}`, () => {
    let h: Harness;
    let file: string;
    let sourceCounts: Record<string, number>;
    let head: { entries: number; head_hash: string };
    before(async () => {
      h = await startHarness(source, { stripe: true });
      await story(h);
      await h.sidecar.outbox?.stop();
      await h.sidecar.dispatcher.stop();
      file = join(tmpdir(), `mybnb-archive-${process.pid}-${source}.jsonl.gz`);
      const m = await exportArchive(h.sidecar.db, file);
      const v = await verifyLedger(h.sidecar.db);
      head = { entries: v.entries, head_hash: v.head_hash };
      assert.equal(m.ledger.head_hash, v.head_hash);
      sourceCounts = await counts(h.sidecar.db);
      assert.ok(sourceCounts.journal_entries! >= 5 && sourceCounts.decisions! >= 2 && sourceCounts.policy_versions! >= 5, JSON.stringify(sourceCounts));
    });
    after(async () => {
      rmSync(file, { force: true });
      await h?.stop();
    });

    test('the archive holds every table, row counts and hashes in its manifest, and checks itself', async () => {
      const { header, manifest } = await readArchive(file);
      for (const t of ['inbox_events', 'journal_entries', 'journal_lines', 'decisions', 'policy_versions', 'event_results']) assert.ok(header.tables.includes(t), t);
      for (const t of manifest.tables) assert.equal(t.rows, sourceCounts[t.table], t.table);
      assert.match(manifest.body_sha256, /^[0-9a-f]{64}$/);
      assert.equal(header.dialect, source);
    });

    for (const [from, to] of pairs.filter(([f]) => f === source)) {
      test(`export → import (${from} → ${to}) → verify and replay reach the same head`, async () => {
        const target = await freshDatabase(to);
        const rebuilt = await freshDatabase(to);
        try {
          const r = await importArchive(target.db, file);
          assert.equal(r.ledger.ok, true, JSON.stringify(r.ledger));
          assert.deepEqual(await counts(target.db), sourceCounts, 'every row arrived');
          const v = await verifyLedger(target.db);
          assert.equal(v.ok, true);
          assert.equal(v.head_hash, head.head_hash);
          assert.equal(v.entries, head.entries);
          const d = await verifyDecisions(target.db);
          assert.equal(d.problems.length, 0, JSON.stringify(d.problems));
          const replay = await replayInto(target.db, rebuilt.db, { logger: silent });
          assert.equal(replay.identical, true, JSON.stringify(replay));
          assert.equal(replay.replayed.head_hash, head.head_hash);
          // the imported database goes on: a new inbox row gets the next id
          const [next] = await target.db('inbox_events').insert({ source: 'booking', event_id: 'bev_after_import', type: 'clock.tick', stream_key: null, occurred_at: '2026-12-01T00:00:00Z', payload: '{}', payload_hash: 'sha256:x', received_at: '2026-12-01T00:00:00Z' });
          assert.equal(Number(next), sourceCounts.inbox_events! + 1);

          const before_ = await counts(target.db);
          await assert.rejects(importArchive(target.db, file), /not empty/);
          assert.deepEqual(await counts(target.db), before_, 'a refused import writes nothing');
        } finally {
          await rebuilt.drop();
          await target.drop();
        }
      });
    }

    test('a damaged or truncated archive is refused before anything is written', async () => {
      const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
      const i = lines.findIndex((l) => l.includes('"t":"journal_lines"') && l.includes('"amount_minor":'));
      const tampered = [...lines];
      tampered[i] = tampered[i]!.replace(/"amount_minor":(\d+)/, (_m, n: string) => `"amount_minor":${Number(n) + 1}`);
      const bad = join(tmpdir(), `mybnb-archive-bad-${process.pid}.gz`);
      const target = await freshDatabase('sqlite');
      try {
        writeFileSync(bad, gzipSync(tampered.join('\n')));
        await assert.rejects(importArchive(target.db, bad), /do not match their hash|body_sha256/);
        writeFileSync(bad, gzipSync(lines.slice(0, -3).join('\n')));
        await assert.rejects(importArchive(target.db, bad), /no manifest|truncated/);
        assert.equal(Object.values(await counts(target.db)).reduce((a, b) => a + b, 0), 0);
      } finally {
        rmSync(bad, { force: true });
        await target.drop();
      }
    });
  });
}

