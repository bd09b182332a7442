import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { confirmed, total } from '../testing/events.js';
import { postEntry, readEntries } from '../flows/ledger/index.js';
import { verifyAll } from './verify-all.js';
import { checkAnchor, checkpointSignatureValid, makeCheckpoint, type Checkpoint } from './checkpoint.js';

// Issue #13: verify proves provenance, refuses orphans, and detects what root can remove.
const KEY = { keyId: 'anchor-test', secret: 'anchor-test-secret-0123456789' };
const NOW = Date.parse('2026-11-01T00:00:00Z');

for (const dialect of dialects()) {
  describe(`verify provenance and anchor on ${dialect}`, () => {
    let h: Harness;
    let anchor: Checkpoint;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_prov', payment_intent_id: 'pi_x' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_prov' } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
    });
    after(async () => h?.stop());

    test('a sound database verifies: every entry and decision names a processed inbox event; a signed checkpoint is made', async () => {
      const r = await verifyAll(h.sidecar.db, { key: KEY, now_ms: NOW });
      assert.ok(r.ok, r.lines.join('\n'));
      assert.ok(r.provenance.entries >= 2, 'the payment posted entries');
      assert.ok(r.provenance.decisions >= 1);
      assert.ok(r.checkpoint);
      anchor = r.checkpoint!;
      assert.ok(checkpointSignatureValid(anchor, KEY.secret));
      assert.equal(anchor.head_hash, r.ledger.head_hash);
      assert.ok(anchor.counts.event_results! >= 1 && anchor.counts.journal_entries! >= 2);
      assert.deepEqual(await checkAnchor(h.sidecar.db, anchor, KEY.secret), [], 'the database extends its own checkpoint');
      const forged = { ...anchor, head_seq: anchor.head_seq + 0, counts: { ...anchor.counts, journal_entries: 1 } };
      assert.equal((await checkAnchor(h.sidecar.db, forged, KEY.secret))[0]?.problem, 'bad_signature', 'an edited anchor file is refused');
      assert.equal((await checkAnchor(h.sidecar.db, anchor, 'another-secret-0123456789'))[0]?.problem, 'bad_signature');
    });

    test('a balanced, correctly chained entry inserted with INSERT rights alone passes the chain but fails verify (orphan)', async () => {
      const [payment] = await readEntries(h.sidecar.db, { booking_id: 'bk_prov' });
      const lines = payment!.lines.slice(0, 2).map((l, i) => ({ ...l, direction: i === 0 ? 'D' as const : 'C' as const, amount_minor: 777 }));
      lines[1]!.account = lines[0]!.unit === lines[1]!.unit ? lines[1]!.account : lines[0]!.account;
      await postEntry(h.t.db, { idempotency_key: 'forged:1', kind: 'payment_received', booking_id: 'bk_prov', occurred_at: '2026-09-02T00:00:00Z', description: 'inserted by hand', lines });
      const r = await verifyAll(h.sidecar.db, { key: KEY, now_ms: NOW, skipDecisions: true });
      assert.equal(r.ledger.ok, true, 'the hash chain and balances alone see nothing wrong');
      assert.equal(r.ok, false);
      assert.equal(r.checkpoint, null, 'a failed verify signs nothing');
      assert.deepEqual(r.provenance.problems.map((p) => p.problem), ['no_provenance']);
      assert.match(r.lines.join('\n'), /verify: FAILED/);
    });

    test('an entry naming a real, older event out of order, or a decision never recorded, is refused', async () => {
      const [payment] = await readEntries(h.sidecar.db, { booking_id: 'bk_prov' });
      const { inbox_id, event_id } = payment!.meta as { inbox_id: number; event_id: string };
      const lines = payment!.lines.slice(0, 2).map((l, i) => ({ ...l, direction: i === 0 ? 'D' as const : 'C' as const, amount_minor: 5 }));
      lines[1]!.account = lines[0]!.account;
      // a later, genuine event first, so the forged entry's event lies behind the chain's order
      await postEntry(h.t.db, { idempotency_key: 'forged:2', kind: 'refund_paid', booking_id: 'bk_prov', occurred_at: '2026-09-02T00:00:00Z', description: 'forged refund', meta: { event_id, inbox_id, decision_id: 'dec_made_up_000000000000' }, lines });
      const r = await verifyAll(h.sidecar.db, { now_ms: NOW, skipDecisions: true });
      const problems = r.provenance.problems.map((p) => p.problem);
      assert.ok(problems.includes('unknown_decision') || problems.includes('out_of_order'), JSON.stringify(r.provenance.problems));
    });

    test('rows removed by root are refused (SQLite: the DELETE trigger) or detected (MariaDB TRUNCATE: counts anchored in the checkpoint)', async () => {
      if (dialect === 'sqlite') {
        await assert.rejects(h.t.admin.raw('DELETE FROM event_results'), /append-only|abort|constraint/i);
        return;
      }
      await h.t.admin.raw('TRUNCATE TABLE event_results');
      const problems = await checkAnchor(h.sidecar.db, anchor, KEY.secret);
      assert.ok(problems.some((p) => p.problem === 'rows_missing' && /event_results/.test(p.detail)), JSON.stringify(problems));
      const r = await verifyAll(h.sidecar.db, { key: KEY, anchor, now_ms: NOW, skipDecisions: true });
      assert.equal(r.ok, false);
      assert.ok(r.provenance.problems.some((p) => p.problem === 'event_not_processed'), 'even without the anchor, entries now name unprocessed events');
    });
  });

  describe(`a checkpoint of an empty ledger on ${dialect}`, () => {
    test('anchors seq 0 and is extended by any later database', async () => {
      const h = await startHarness(dialect);
      try {
        const c = await makeCheckpoint(h.sidecar.db, KEY, NOW);
        assert.equal(c.head_seq, 0);
        assert.deepEqual(await checkAnchor(h.sidecar.db, c, KEY.secret), []);
      } finally {
        await h.stop();
      }
    });
  });
}
