import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, mysqlSkipped } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { finalStatuses, ledgerSnapshot, type LedgerSnapshot } from './ledger-snapshot.test-helper.js';
import { deliver, idOf, prng, shuffledWithCopies, storyDeliveries, type Delivery } from './scenario.test-helper.js';

/**
 * Two sidecar processes (two startSidecar, each with its own pool, dispatcher and HTTP server)
 * on one MariaDB database, each receiving every event (3 copies) in its own order, at the same
 * time. Both dispatchers work the one inbox. The result must equal a single process fed each
 * event once in order.
 *
 * Compared: the content of every entry by idempotency key (kind, booking, time, description,
 * lines, event and decision references), every balance, the trial balance (zero per unit),
 * every decision, every booking's state, every event's final fate, verifyLedger, and that no
 * money movement was posted twice. Not compared: entry_hash/seq. The shared inbox's order is the
 * interleaving of two senders, so entries of different bookings may be chained in another order
 * than in the reference, and each entry's meta names its run's inbox_id; both are legitimate.
 */
async function undispatched(h: Harness): Promise<number> {
  const row = await h.sidecar.db('inbox_events as i')
    .leftJoin('event_results as r', 'r.inbox_id', 'i.id')
    .leftJoin('event_parkings as p', 'p.inbox_id', 'i.id')
    .whereNull('r.id').whereNull('p.id').count({ n: 'i.id' }).first();
  return Number(row?.n);
}

async function sendAll(h: Harness, list: Delivery[]): Promise<number[]> {
  const out: number[] = [];
  for (const d of list) out.push((await deliver(h, d)).status);
  return out;
}

describe('two sidecar processes on one MariaDB', { skip: mysqlSkipped() ? 'MariaDB not reachable (MYBNB_TEST_MYSQL=0)' : false }, () => {
  const story = storyDeliveries(`two${Math.random().toString(36).slice(2, 5)}`);
  let reference: LedgerSnapshot;
  let referenceStatuses: Record<string, string>;

  before(async () => {
    // The reference: one process, each event once, in story order.
    const ref = await startHarness('mysql');
    try {
      for (const d of story) assert.ok([200, 202].includes((await deliver(ref, d)).status), d.name);
      await ref.settle();
      reference = await ledgerSnapshot(ref.sidecar.db);
      referenceStatuses = await finalStatuses(ref.sidecar.db, story.map(idOf));
    } finally {
      await ref.stop();
    }
    assert.ok(Object.keys(reference.entries).length >= 4);
  });

  for (const seed of [11, 12]) {
    test(`the same events in different orders, concurrently, end with the reference ledger (seed ${seed})`, async () => {
      const t = await freshDatabase('mysql');
      const p1 = await startHarness('mysql', { t });
      const p2 = await startHarness('mysql', { t });
      try {
        assert.notEqual(p1.sidecar.url, p2.sidecar.url);
        const random = prng(seed);
        const [s1, s2] = await Promise.all([
          sendAll(p1, shuffledWithCopies(story, 3, random)),
          sendAll(p2, shuffledWithCopies(story, 3, random)),
        ]);
        for (const s of [...s1, ...s2]) assert.ok(s === 200 || s === 202, `every copy acknowledged (${s})`);
        // Stored once: one row per event. (Not "one 202 per event": when both processes store the same
        // event at the same instant, both may answer 202 — any 2xx means stored, and there is one row.)
        const rows = await p1.sidecar.db('inbox_events').whereIn('source', ['booking', 'stripe']).select('source', 'event_id');
        assert.equal(rows.length, story.length, 'each event stored once across both processes');
        assert.ok(s1.filter((s) => s === 202).length + s2.filter((s) => s === 202).length >= story.filter((d) => d.source === 'booking').length);

        // Both dispatchers keep running; settle both until no event is left without a fate.
        for (let i = 0; i < 50 && ((await undispatched(p1)) > 0 || i < 2); i++) {
          await Promise.all([p1.settle(), p2.settle()]);
        }
        assert.equal(await undispatched(p1), 0, 'every event dispatched');

        const got = await ledgerSnapshot(p1.sidecar.db);
        assert.deepEqual(got.detail, reference.detail);
        assert.deepEqual(got.entries, reference.entries);
        assert.deepEqual(got.balances, reference.balances);
        assert.deepEqual(got.trial, reference.trial);
        for (const row of got.trial) assert.equal(row.debits, row.credits, `trial balance ${row.unit} is zero`);
        assert.deepEqual(got.decisions, reference.decisions);
        assert.deepEqual(got.states, reference.states);
        assert.deepEqual(got.duplicatePostings, [], 'no money movement posted twice');
        assert.equal(got.verify.ok, true, 'verifyLedger');
        assert.equal(got.verify.entries, reference.verify.entries);
        assert.deepEqual(await finalStatuses(p1.sidecar.db, story.map(idOf)), referenceStatuses);
        const results = await p1.sidecar.db('event_results').select('inbox_id');
        assert.equal(new Set(results.map((r: { inbox_id: number }) => r.inbox_id)).size, results.length, 'one result per event');
        // the other process reads the same ledger
        assert.deepEqual((await ledgerSnapshot(p2.sidecar.db)).entries, got.entries);
      } finally {
        await p1.stop();
        await p2.stop();
        await t.drop();
      }
    });
  }
});
