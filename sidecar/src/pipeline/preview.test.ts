import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { confirmed } from '../testing/events.js';

/**
 * Previews read pinned policies through pinnedPolicy, which keeps parsed versions by their pin: a
 * repeated preview reads no policy version again and answers exactly as before, and the rule it
 * names is the pinned version.
 */
for (const dialect of dialects()) {
  describe(`preview on ${dialect}: pinned policies are read once`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
      for (const [booking_id, policy] of [['bk_pv_1', 'strict'], ['bk_pv_2', 'moderate']] as const) {
        const r = await h.engine.event(confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: `pi_${booking_id}`, cancellation_policy: policy }));
        assert.equal(r.status, 202, r.text);
      }
      await h.settle();
    });
    after(async () => h?.stop());

    test('a second preview runs no policy_versions query and gives the same body', async () => {
      const path = '/preview/outcome?action=cancel&booking_id=bk_pv_1&by=guest&at=2026-09-20T10:00:00Z';
      const first = await h.reader.get(path);
      assert.equal(first.status, 200, first.text);
      const seen: string[] = [];
      const watch = (q: { sql: string }) => seen.push(q.sql);
      h.sidecar.db.on('query', watch);
      try {
        const second = await h.reader.get(path);
        assert.equal(second.status, 200, second.text);
        assert.deepEqual(second.body, first.body);
      } finally {
        h.sidecar.db.off('query', watch);
      }
      assert.ok(seen.some((s) => s.includes('read_model_changes')), 'the log position is read (the read model checks the database has not moved on)');
      assert.deepEqual(seen.filter((s) => s.includes('policy_versions')), []);
    });

    test('each booking is answered under its own pinned policy and hash', async () => {
      for (const [booking_id, policy] of [['bk_pv_1', 'strict'], ['bk_pv_2', 'moderate']] as const) {
        const r = await h.reader.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=guest&at=2026-09-20T10:00:00Z`);
        assert.equal(r.status, 200, r.text);
        const row = await h.sidecar.db('policy_versions').where({ kind: 'cancellation', policy_id: policy }).orderBy('id', 'desc').first('version', 'hash');
        assert.deepEqual(r.body.rule, { policy: `cancellation/${policy}`, version: Number(row.version), hash: row.hash });
      }
    });

    test('an unknown booking is still a 404', async () => {
      const r = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_pv_none&by=guest&at=2026-09-20T10:00:00Z');
      assert.equal(r.status, 404, r.text);
    });
  });
}
