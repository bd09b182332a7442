import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dialects, freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { forEachEntry, openAccount, postEntry, reverseEntry } from './index.js';

// Issue #13: an auditor recomputes every hash of an export with code of their own, following
// docs/ledger.md ("The hash recipe"). Nothing here imports the ledger's hashing or the kernel's
// canonical JSON: the serialiser below is written from the doc, and the key lists are read from it.
const DOC = readFileSync(new URL('../../../../docs/ledger.md', import.meta.url), 'utf8');

function keysOfTable(headerCell: string): string[] {
  const start = DOC.indexOf(`| ${headerCell} | value |`);
  assert.ok(start >= 0, `docs/ledger.md has the table "${headerCell}"`);
  const rows = DOC.slice(start).split('\n').slice(2);
  const keys: string[] = [];
  for (const row of rows) {
    const m = /^\| `([a-z_]+)` \|/.exec(row);
    if (!m) break;
    keys.push(m[1]!);
  }
  return keys;
}

/** RFC 8785 as the doc states it, for the values an export holds (strings, integers, null, arrays, objects). */
function jcs(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    assert.ok(Number.isSafeInteger(v), `an integer: ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // UTF-16 code-unit order
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
}

const sha = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => {
  assert.ok(k in o, `the export carries ${k}`);
  return [k, o[k]];
}));

for (const dialect of dialects()) {
  describe(`the hash recipe of docs/ledger.md on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await freshDatabase(dialect);
      const T0 = '2026-09-01T12:00:00Z';
      await openAccount(t.db, { code: 'platform:stripe_balance:USD', type: 'asset', unit: 'USD', name: 'Stripe balance', opened_at: T0 });
      await openAccount(t.db, { code: 'booking:bk_e:host_share:USD', type: 'liability', unit: 'USD', name: 'Host share', opened_at: T0 });
      await openAccount(t.db, { code: 'platform:stripe_balance:JPY', type: 'asset', unit: 'JPY', name: 'Stripe balance JPY', opened_at: T0 });
      await openAccount(t.db, { code: 'booking:bk_2:host_share:JPY', type: 'liability', unit: 'JPY', name: 'Host share JPY', opened_at: T0 });
      const first = await postEntry(t.db, {
        idempotency_key: 'payment:pi_1', kind: 'payment_received', booking_id: 'bk_e', occurred_at: T0, description: 'payment "quoted" — ünïcode',
        meta: { inbox_id: 1, event_id: 'stripe:evt_1', z: [1, 'a'], a: null },
        lines: [{ account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: 123456 }, { account: 'booking:bk_e:host_share:USD', unit: 'USD', direction: 'C', amount_minor: 123456 }],
      });
      await postEntry(t.db, {
        idempotency_key: 'payment:pi_2', kind: 'payment_received', booking_id: null, occurred_at: '2026-09-02T00:00:00Z', description: 'no meta',
        lines: [{ account: 'platform:stripe_balance:JPY', unit: 'JPY', direction: 'D', amount_minor: 1e12 }, { account: 'booking:bk_2:host_share:JPY', unit: 'JPY', direction: 'C', amount_minor: 1e12 }],
      });
      await reverseEntry(t.db, { seq: first.entry.seq, idempotency_key: 'reversal:1', occurred_at: '2026-09-03T00:00:00Z', reason: 'correction' });
    });
    after(async () => t.drop());

    test('every content_hash, entry_hash and prev_hash of the export recomputes from the doc alone', async () => {
      const lineKeys = keysOfTable('key');
      const contentKeys = keysOfTable('content key');
      const entryKeys = keysOfTable('entry key');
      assert.deepEqual(lineKeys, ['account', 'amount_minor', 'direction', 'unit'], 'the doc names amount_minor, not "amount"');
      assert.ok(contentKeys.includes('reverses_seq') && entryKeys.includes('prev_hash') && entryKeys.includes('content_hash'));
      // the export as `npm run cli -- export --format jsonl` writes it: one JSON object per line
      const exported: string[] = [];
      await forEachEntry(t.db, (e) => { exported.push(JSON.stringify(e)); });
      assert.equal(exported.length, 3);
      let prev = `sha256:${'0'.repeat(64)}`;
      let seq = 0;
      for (const text of exported) {
        const e = JSON.parse(text) as Record<string, unknown> & { lines: Array<Record<string, unknown>> };
        seq += 1;
        assert.equal(e.seq, seq);
        assert.equal(e.prev_hash, prev, `entry ${seq}: prev_hash is the previous entry_hash`);
        const lines = e.lines.map((l) => pick(l, lineKeys));
        const content = sha(jcs({ ...pick(e, contentKeys.filter((k) => k !== 'lines')), lines }));
        assert.equal(content, e.content_hash, `entry ${seq}: content_hash`);
        const entry = sha(jcs({ ...pick(e, entryKeys.filter((k) => k !== 'lines')), lines }));
        assert.equal(entry, e.entry_hash, `entry ${seq}: entry_hash`);
        prev = entry;
      }
    });

    test('the recomputation can fail: one changed amount_minor changes the hash', async () => {
      const exported: Array<Record<string, unknown> & { lines: Array<Record<string, unknown>> }> = [];
      await forEachEntry(t.db, (e) => { exported.push(JSON.parse(JSON.stringify(e))); });
      const e = exported[0]!;
      e.lines[0]!.amount_minor = 123457;
      const contentKeys = keysOfTable('content key');
      assert.notEqual(sha(jcs(pick(e, contentKeys))), e.content_hash);
    });
  });
}
