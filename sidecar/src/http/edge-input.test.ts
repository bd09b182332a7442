import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { ENGINE_KEY, startHarness, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { confirmed, eventId, tick } from '../testing/events.js';
import { postStripeWebhook, SignedClient, type Reply } from '../client/signed-client.js';
import { csvCell, statementCsv } from '../flows/read-models/statement.js';
import { rekeyed, writtenCounts } from './stripe-fixtures.test-helper.js';
import { NOISE_FACTOR } from './rate-limits.js';

// Issue #13, input at the edge: currencies, amount bounds, safe ids, CSV, auth answers, buckets.
function assertProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body.code, code, r.text);
}

async function refusedWritingNothing(h: Harness, send: () => Promise<Reply>): Promise<Reply> {
  await h.sidecar.dispatcher.drain();
  const counts = await writtenCounts(h.sidecar.db);
  const r = await send();
  await h.sidecar.dispatcher.drain();
  assert.deepEqual(await writtenCounts(h.sidecar.db), counts, `nothing written (${r.status} ${r.text})`);
  return r;
}

test('CSV cells: quotes doubled, commas and CR/LF quoted, formulas defused, numbers as they are', () => {
  assert.equal(csvCell('a"b'), '"a""b"');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('a\r\nb'), '"a\r\nb"');
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(-1200), '-1200');
  const csv = statementCsv({ host_id: 'h', from: '0000-01-01', to: '9999-12-31', bookings: [{ booking_id: 'bk"1', currency: 'USD' } as never], totals: [], payout_holds: [], held_payouts: [] });
  assert.ok(csv.startsWith('booking_id,currency,'), csv);
  assert.ok(csv.includes('"bk""1",USD'), csv);
});

for (const dialect of dialects()) {
  describe(`input at the edge on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.stop());

    test('currency ZZZ, a 4·10^15 total and CR/LF, quote or comma ids are refused and write nothing', async () => {
      const base = () => confirmed('2026-09-01T10:00:00Z', { booking_id: `bk_edge_${eventId('x').slice(-6)}`, payment_intent_id: 'pi_edge_1' });
      const cases: Array<[string, (e: ReturnType<typeof base>) => void, string]> = [
        ['currency ZZZ', (e) => { e.data.currency = 'ZZZ'; }, 'data.currency'],
        ['currency usd (lower case)', (e) => { e.data.currency = 'usd'; }, 'data.currency'],
        ['nightly_total 4·10^15', (e) => { e.data.nightly_total = 4e15; }, 'data.nightly_total'],
        ['taxes 10^12 + 1', (e) => { e.data.taxes = 1e12 + 1; }, 'data.taxes'],
        ['host id with CR/LF', (e) => { e.data.host_id = 'host\r\nX-Evil: 1'; }, 'data.host_id'],
        ['guest id with a quote', (e) => { e.data.guest_id = 'guest"1'; }, 'data.guest_id'],
        ['booking id with a comma', (e) => { e.data.booking_id = 'bk,1'; }, 'data.booking_id'],
        ['event id with LF', (e) => { e.id = 'bev\n1'; }, 'id'],
      ];
      for (const [name, spoil, field] of cases) {
        const e = base();
        spoil(e);
        const r = await refusedWritingNothing(h, () => h.engine.event(e));
        assertProblem(r, 422, 'validation_failed');
        assert.ok((r.body.errors as Array<{ field: string }>).some((x) => x.field === field), `${name}: ${r.text}`);
      }
      // the bounds themselves are accepted
      const ok = base();
      ok.data.nightly_total = 1e12;
      ok.data.currency = 'JPY';
      assert.equal((await h.engine.event(ok)).status, 202);
    });

    test('ids in paths and queries with CR/LF or quotes are 400 invalid_id, never 500, and write nothing', async () => {
      for (const path of ['/hosts/host%0D%0AX/statement?format=csv', '/hosts/a%22b/statement?format=csv', '/bookings/bk%0A1', '/bookings/bk%221/receipt', '/guests/g%2C1/credits', '/ledger/entries?booking_id=bk%0D1', '/evidence/dec%22', '/inbox/booking/a%0Ab']) {
        // asked with a key whose role the route allows (http/route-roles.ts), so the id is what is refused
        const c = /^\/(ledger|evidence)/.test(path) ? h.auditor : path.startsWith('/inbox') ? h.operator : h.reader;
        const r = await refusedWritingNothing(h, () => c.get(path));
        assertProblem(r, 400, 'invalid_id');
      }
      const csv = await h.reader.get('/hosts/host_1/statement?format=csv');
      assert.equal(csv.status, 200, csv.text);
      assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="statement-host_1-0000-01-01-9999-12-31.csv"');
    });

    test('a signed Stripe event with currency ZZZ or a 4·10^15 amount is refused and nothing is stored', async () => {
      const zzz = rekeyed('charge.succeeded');
      zzz.data.object.currency = 'zzz';
      assertProblem(await refusedWritingNothing(h, () => postStripeWebhook(h.sidecar.url, zzz, WEBHOOK_SECRET)), 422, 'validation_failed');
      const huge = rekeyed('charge.succeeded');
      huge.data.object.amount = 4e15;
      assertProblem(await refusedWritingNothing(h, () => postStripeWebhook(h.sidecar.url, huge, WEBHOOK_SECRET)), 422, 'validation_failed');
      const badId = rekeyed('charge.succeeded');
      badId.id = 'evt_1\r\nx';
      assertProblem(await refusedWritingNothing(h, () => postStripeWebhook(h.sidecar.url, badId, WEBHOOK_SECRET)), 400, 'invalid_id');
    });
  });

  describe(`rate-limit buckets on ${dialect}`, () => {
    test('unauthenticated floods spend their own bucket: the engine and Stripe keep theirs; past it 429', async () => {
      const h = await startHarness(dialect, { config: { rateLimitPerMinute: 3 } });
      try {
        const forged = new SignedClient(h.sidecar.url, { keyId: ENGINE_KEY.keyId, secret: 'not-the-engine-secret-0123' });
        for (let i = 0; i < 5; i++) assertProblem(await forged.event(tick('2026-09-01T00:00:00Z')), 401, 'signature_invalid');
        for (let i = 0; i < 5; i++) assertProblem(await postStripeWebhook(h.sidecar.url, rekeyed('charge.succeeded'), 'whsec_forged_0123456789'), 401, 'signature_invalid');
        for (let i = 0; i < 3; i++) assert.equal((await h.engine.event(tick(`2026-09-01T00:00:0${i}Z`))).status, 202, 'the engine bucket is untouched by forgeries under its key id');
        for (let i = 0; i < 3; i++) assert.equal((await postStripeWebhook(h.sidecar.url, rekeyed('charge.succeeded'), WEBHOOK_SECRET)).status, 200, 'Stripe\'s bucket is untouched by unsigned noise');
        assertProblem(await h.engine.event(tick('2026-09-01T00:00:09Z')), 429, 'rate_limited');
        // the noise bucket is generous, and finite
        const noise = 3 * NOISE_FACTOR - 10;
        for (let i = 0; i < noise; i++) assertProblem(await forged.get('/bookings/x'), 401, 'signature_invalid');
        const past = await forged.get('/bookings/x');
        assertProblem(past, 429, 'rate_limited');
        assert.ok(past.headers.get('retry-after'));
        await h.sidecar.dispatcher.drain();
      } finally {
        await h.stop();
      }
    });
  });
}
