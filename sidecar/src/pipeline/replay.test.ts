import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { checkedIn, completed, confirmed, hostConnected, tick, total } from '../testing/events.js';
import { isAppendOnlyViolation } from '../db/append-only.js';
import { replayInto, type ReplayReport } from './replay.js';
import { ledgerSnapshot } from './ledger-snapshot.test-helper.js';

const silent = pino({ level: 'silent' });

/** The payout story (paid, checked in, paid out, completed) plus a refunded cancellation, a parked payment and a dead letter. */
async function story(h: Harness): Promise<void> {
  const fake = h.fake!;
  const a = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_rp_1', payment_intent_id: 'pi_placeholder' });
  a.data.payment_intent_id = fake.createPayment({ amount: total(a.data), currency: 'usd', metadata: { booking_id: 'bk_rp_1' } }).id;
  const b = confirmed('2026-09-01T11:00:00Z', { booking_id: 'bk_rp_2', payment_intent_id: 'pi_placeholder', cancellation_policy: 'flexible', check_in: '2026-09-20', check_out: '2026-09-22', guest_id: 'guest_2' });
  b.data.payment_intent_id = fake.createPayment({ amount: total(b.data), currency: 'usd', metadata: { booking_id: 'bk_rp_2' } }).id;
  const c = confirmed('2026-09-01T12:00:00Z', { booking_id: 'bk_rp_3', payment_intent_id: 'pi_rp_3_never_paid' });
  for (const e of [hostConnected('host_1', 'acct_1HostReplay', '2026-09-01T09:00:00Z'), a, b, c, completed('bk_rp_3', '2026-09-02T00:00:00Z')]) {
    const r = await h.engine.event(e);
    assert.equal(r.status, 202, r.text);
  }
  fake.createPayment({ amount: 999, currency: 'usd', metadata: { booking_id: 'bk_rp_unknown' } }); // parked forever
  await h.settle();

  const at = '2026-09-05T08:00:00Z';
  const preview = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_rp_2&by=guest&at=${at}`);
  assert.equal(preview.status, 200, preview.text);
  assert.ok(preview.body.outcome.refund_to_guest > 0);
  await h.engine.event({ id: 'bev_rp_cancel_2', type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: 'bk_rp_2', by: 'guest', consent: { outcome_hash: preview.body.outcome_hash, actor: 'guest_2', consented_at: at } } });
  await h.engine.event(checkedIn('bk_rp_1', '2026-10-10T13:05:00Z'));
  await h.settle();
  await h.engine.event(tick('2026-10-11T13:00:00Z'));
  await h.settle();
  await h.engine.event(completed('bk_rp_1', '2026-10-13T09:00:00Z'));
  await h.settle();
}

async function counts(db: TestDatabase['db']): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['inbox_events', 'event_results', 'journal_entries', 'decisions']) out[t] = Number((await db(t).count({ n: '*' }).first())?.n);
  return out;
}

for (const dialect of dialects()) {
  describe(`replay on ${dialect}`, () => {
    let h: Harness;
    let target: TestDatabase;
    let report: ReplayReport;
    const progress: Array<[number, number]> = [];

    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await story(h);
      // the source stands still while it is replayed
      await h.sidecar.outbox?.stop();
      await h.sidecar.dispatcher.stop();
      target = await freshDatabase(dialect);
      report = await replayInto(h.sidecar.db, target.db, { logger: silent, onProgress: (done, all) => progress.push([done, all]) });
    });
    after(async () => {
      await target?.drop();
      await h?.stop();
    });

    test('the story is what it should be before it is replayed', async () => {
      assert.equal((await h.reader.get('/bookings/bk_rp_1')).body.state, 'completed');
      assert.equal((await h.reader.get('/bookings/bk_rp_2')).body.state, 'refunded');
      const statuses = await h.sidecar.db('event_results').select('status');
      const by = (s: string) => statuses.filter((r: { status: string }) => r.status === s).length;
      assert.ok(by('processed') > 10 && by('dead_lettered') >= 1 && by('ignored') >= 1, JSON.stringify(statuses));
      assert.ok(await h.sidecar.db('event_parkings').first('id'), 'something was parked');
    });

    test('replay into a fresh database reports identical: same entry hashes, same head, same decisions', async () => {
      const source = await counts(h.sidecar.db);
      assert.equal(report.identical, true, JSON.stringify(report));
      assert.equal(report.first_difference, null);
      assert.equal(report.events, source.inbox_events);
      assert.equal(report.source.entries, source.journal_entries);
      assert.ok(report.source.entries >= 6, `a real ledger (${report.source.entries} entries)`);
      assert.equal(report.replayed.entries, report.source.entries);
      assert.equal(report.replayed.head_hash, report.source.head_hash);
      assert.equal(report.decisions.identical, true);
      assert.equal(report.decisions.replayed, report.decisions.source);
      assert.ok(report.decisions.source >= 4);
      assert.deepEqual(progress[progress.length - 1], [source.inbox_events, source.inbox_events], 'progress reaches the total');
    });

    test('the replayed database agrees row by row, beyond what the report compares', async () => {
      const hashes = async (db: TestDatabase['db']) => (await db('journal_entries').orderBy('seq').select('seq', 'entry_hash', 'content_hash'));
      assert.deepEqual(await hashes(target.db), await hashes(h.sidecar.db));
      const fates = async (db: TestDatabase['db']) => (await db('event_results').orderBy('inbox_id').select('inbox_id', 'status', 'code'));
      assert.deepEqual(await fates(target.db), await fates(h.sidecar.db));
      const a = await ledgerSnapshot(h.sidecar.db);
      const b = await ledgerSnapshot(target.db);
      assert.deepEqual(b.balances, a.balances);
      assert.deepEqual(b.states, a.states);
      assert.deepEqual(b.decisions, a.decisions);
      assert.equal(b.verify.ok, true);
      const intents = async (db: TestDatabase['db']) => (await db('outbox_intents').orderBy('intent_id').select('intent_id', 'operation'));
      assert.deepEqual(await intents(target.db), await intents(h.sidecar.db), 'the same Stripe calls would be asked for');
    });

    test('replay into a database that is not empty is refused and changes nothing there', async () => {
      const before_ = await counts(target.db);
      await assert.rejects(replayInto(h.sidecar.db, target.db, { logger: silent }), /not empty/);
      assert.deepEqual(await counts(target.db), before_);
    });

    test('the source cannot be tampered with: inbox payloads and results are append-only, even for an administrator', async () => {
      const first = await h.sidecar.db('inbox_events').where({ source: 'booking' }).orderBy('id').first('id', 'payload');
      for (const db of [h.t.admin, h.sidecar.db]) {
        await assert.rejects(db('inbox_events').where({ id: first.id }).update({ payload: '{"tampered":true}' }), (e) => isAppendOnlyViolation(e) || /command denied/i.test(String(e)));
        await assert.rejects(db('event_results').where({ inbox_id: first.id }).del(), (e) => isAppendOnlyViolation(e) || /command denied/i.test(String(e)));
      }
      assert.equal((await h.sidecar.db('inbox_events').where({ id: first.id }).first('payload')).payload, first.payload);
    });
  });
}
