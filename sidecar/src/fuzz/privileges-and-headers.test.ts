/**
 * Threat-model rows of issue #18 not proven elsewhere: the application's database user cannot
 * change history or the schema (UPDATE, DELETE, ALTER, DROP all refused), and every answer, error
 * or not, carries the security headers and no framework banner.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { startHarness, READER_KEY, type Harness } from '../testing/harness.js';
import { SignedClient } from '../client/signed-client.js';

for (const dialect of dialects()) {
  describe(`privileges and headers on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.stop().catch((e: { code?: string }) => { if (e.code !== 'ER_DB_DROP_RMDIR') throw e; }));

    test('the service connection cannot UPDATE, DELETE, ALTER or DROP a ledger table', async () => {
      const db = h.sidecar.db;
      const before_n = Number((await db('policy_versions').count({ n: '*' }).first())?.n);
      assert.ok(before_n > 0);
      await assert.rejects(db('policy_versions').update({ id: 'x' }), 'UPDATE refused');
      await assert.rejects(db('policy_versions').delete(), 'DELETE refused');
      if (dialect === 'mysql') {
        // SQLite has no users: ALTER and DROP are refused by the MySQL grants (INSERT, SELECT only)
        await assert.rejects(db.raw('ALTER TABLE journal_entries ADD COLUMN x INT'), /denied/i, 'ALTER refused');
        await assert.rejects(db.raw('DROP TABLE journal_lines'), /denied/i, 'DROP refused');
        await assert.rejects(db.raw('DROP TRIGGER IF EXISTS journal_entries_no_update'), /denied|privilege/i, 'dropping a trigger refused');
      }
      assert.equal(Number((await db('policy_versions').count({ n: '*' }).first())?.n), before_n);
    });

    test('every answer carries the security headers and no X-Powered-By, errors included', async () => {
      const reader = new SignedClient(h.sidecar.url, READER_KEY);
      const answers = [await fetch(`${h.sidecar.url}/healthz`), await fetch(`${h.sidecar.url}/nope`), await fetch(`${h.sidecar.url}/bookings/x`)];
      const signed = await reader.get('/bookings/bk_missing');
      for (const headers of [...answers.map((a) => a.headers), signed.headers]) {
        assert.equal(headers.get('x-powered-by'), null);
        assert.equal(headers.get('x-content-type-options'), 'nosniff');
        assert.ok(headers.get('content-security-policy'), 'a CSP');
        assert.ok(headers.get('strict-transport-security'), 'HSTS');
        assert.equal(headers.get('x-frame-options'), 'SAMEORIGIN');
      }
    });
  });
}
