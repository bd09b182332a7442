/**
 * Issue #12, part 1: outbound refunds and payouts ride out a Stripe incident of hours, driven by
 * the retry policy's schedule on clock.tick; a terminal error ends an intent until the booking
 * engine asks again (money.retry_requested); past Stripe's key lifetime a retry asks first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, eventId, hostConnected, tick, total } from '../../testing/events.js';
import { allIntents } from '../outbox/intents.js';
import { trialBalance } from '../ledger/index.js';

const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');

for (const dialect of dialects()) {
  describe(`re-drive by policy on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      // one call per round: the schedule between rounds is what is under test
      h = await startHarness(dialect, { stripe: true, outbox: { maxAttempts: 1 } });
      await h.engine.event(hostConnected('host_1', 'acct_1RedriveHost', '2026-09-01T09:00:00Z'));
    });
    after(async () => h?.stop());

    async function paidBooking(booking_id: string, extra: Record<string, unknown> = {}) {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_placeholder', ...extra });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      const r = await h.engine.event(ev);
      assert.equal(r.status, 202, r.text);
      await h.settle();
      return { ev, pi };
    }

    async function cancelByGuest(booking_id: string, at: string) {
      await h.settle();
      const p = await h.reader.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=guest&at=${encodeURIComponent(at)}`);
      assert.equal(p.status, 200, p.text);
      const r = await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id, by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: at } } });
      assert.equal(r.status, 202, r.text);
      return p.body.outcome.refund_to_guest as number;
    }

    const at = async (iso: string) => {
      await h.engine.event(tick(iso));
      await h.settle();
    };
    const posts = (re: RegExp) => h.fake!.state.requests.filter((q) => q.method === 'POST' && re.test(q.path));

    test('Stripe answers 500 to every refund and transfer for 3 hours: each goes out once, decided amount, one key', async () => {
      await paidBooking('bk_rd_pay'); // check-in 2026-10-10 15:00 Paris: payout due 2026-10-11T13:00Z
      await paidBooking('bk_rd_ref', { check_in: '2026-11-20', check_out: '2026-11-23' });
      const T0 = '2026-10-11T13:00:00Z';
      const outage = h.fake!.faults.outage({ status: 500, method: 'POST', path: /^\/v1\/(refunds|transfers)$/ });
      const refundAmount = await cancelByGuest('bk_rd_ref', T0);
      assert.ok(refundAmount > 0);
      await at(T0); // the payout is decided; both calls fail
      let intents = (await allIntents(h.sidecar.db)).filter((i) => i.booking_id === 'bk_rd_pay' || i.booking_id === 'bk_rd_ref');
      const refundIntent = intents.find((i) => i.operation === 'refund')!;
      const transferIntent = intents.find((i) => i.operation === 'transfer')!;
      assert.equal(refundIntent.status, 'exhausted');
      assert.equal(transferIntent.status, 'exhausted');

      await at(plus(T0, 4)); // not due: 5 minutes after the round began
      assert.equal(posts(/^\/v1\/refunds$/).length, 1, 'no call before the schedule says');
      for (const m of [5, 35, 155]) await at(plus(T0, m)); // rounds 1..3, still inside the incident
      assert.equal(posts(/^\/v1\/refunds$/).length, 4);
      assert.equal(posts(/^\/v1\/transfers$/).length, 4);
      assert.equal(h.fake!.state.refunds.size, 0);
      assert.equal(h.fake!.state.transfers.size, 0);

      await at(plus(T0, 180)); // 3 h: Stripe recovers; the next round is due 6 h after round 3 began
      outage.end();
      await at(plus(T0, 181));
      assert.equal(posts(/^\/v1\/refunds$/).length, 4, 'the schedule, not the recovery, decides when');
      await at(plus(T0, 155 + 360));
      await at(plus(T0, 155 + 360 + 720)); // later ticks change nothing
      await at(plus(T0, 4 * 24 * 60));

      const refunds = [...h.fake!.state.refunds.values()];
      const transfers = [...h.fake!.state.transfers.values()];
      assert.equal(refunds.length, 1, 'exactly one refund');
      assert.equal(refunds[0]!.amount, refundAmount, 'for the decided amount');
      assert.equal(transfers.length, 1, 'exactly one payout');
      assert.equal(transfers[0]!.amount, 35000 - Math.floor(35000 * 300 / 10000));
      assert.deepEqual([...new Set(posts(/^\/v1\/refunds$/).map((q) => q.idempotencyKey))], [refundIntent.intent_id], 'one idempotency key');
      assert.deepEqual([...new Set(posts(/^\/v1\/transfers$/).map((q) => q.idempotencyKey))], [transferIntent.intent_id]);
      assert.equal(posts(/^\/v1\/refunds$/).length, 5);

      intents = (await allIntents(h.sidecar.db)).filter((i) => i.intent_id === refundIntent.intent_id);
      const attempts = intents[0]!.attempts;
      assert.deepEqual(attempts.map((a) => a.outcome), ['exhausted', 'exhausted', 'exhausted', 'exhausted', 'succeeded']);
      assert.ok(attempts.every((a) => typeof a.request_id === 'string' && a.request_id.startsWith('req_')), 'each attempt keeps Stripe\'s request id');
      assert.deepEqual(attempts.slice(0, 4).map((a) => a.http_status), [500, 500, 500, 500]);
      const grants = await h.sidecar.db('outbox_redrives').where({ intent_id: refundIntent.intent_id }).orderBy('round');
      assert.deepEqual(grants.map((g: { granted_at: string }) => g.granted_at), [plus(T0, 5), plus(T0, 35), plus(T0, 155), plus(T0, 515)]);

      const views = await Promise.all(['bk_rd_pay', 'bk_rd_ref'].map((b) => h.reader.get(`/bookings/${b}`)));
      assert.equal(views[0]!.body.state, 'paid_out');
      assert.equal(views[1]!.body.state, 'refunded');
      for (const row of (await trialBalance(h.sidecar.db)).rows) assert.equal(row.debits_minor, row.credits_minor);
    });

    test('a terminal error is decided by policy and announced; only money.retry_requested re-opens it', async () => {
      await paidBooking('bk_rd_term', { check_in: '2026-11-20', check_out: '2026-11-23' });
      const T0 = '2026-10-12T10:00:00Z';
      h.fake!.faults.refuse({ code: 'charge_disputed', method: 'POST', path: /^\/v1\/refunds$/ });
      const amount = await cancelByGuest('bk_rd_term', T0);
      await h.settle();
      const intent = (await allIntents(h.sidecar.db)).find((i) => i.booking_id === 'bk_rd_term' && i.operation === 'refund')!;
      assert.equal(intent.status, 'failed');
      await at(plus(T0, 1));
      let view = await h.reader.get('/bookings/bk_rd_term');
      assert.equal(view.body.state, 'refund_failed');
      const terminal = await h.sidecar.db('decisions').where({ booking_id: 'bk_rd_term', action: 'outbound_terminal' });
      assert.equal(terminal.length, 1, 'one terminal decision, with evidence');
      assert.equal(terminal[0].reason, 'terminal_error');
      const evidence = JSON.parse(terminal[0].input);
      assert.equal(evidence.attempts[0].error_code, 'charge_disputed');
      assert.match(evidence.attempts[0].request_id, /^req_/);
      const flags = await h.sidecar.db('booking_flags').where({ booking_id: 'bk_rd_term', code: 'refund_failed' });
      assert.equal(flags.length, 1, 'announced (booking flag; the outbound-event hook)');

      const calls = posts(/^\/v1\/refunds$/).filter((q) => q.idempotencyKey === intent.intent_id).length;
      for (const m of [5, 60, 24 * 60, 5 * 24 * 60]) await at(plus(T0, m));
      assert.equal(posts(/^\/v1\/refunds$/).filter((q) => q.idempotencyKey === intent.intent_id).length, calls, 'no tick re-opens a terminal failure');

      // bad input writes nothing
      const inboxBefore = (await h.sidecar.db('inbox_events').count({ n: '*' }).first())!.n;
      const bad = await h.engine.event({ id: eventId(), type: 'money.retry_requested', occurred_at: plus(T0, 6000), data: { intent_id: 'refund please' } });
      assert.equal(bad.status, 422, bad.text);
      assert.equal(bad.body.code, 'validation_failed');
      assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
      const unknown = await h.engine.event({ id: eventId(), type: 'money.retry_requested', occurred_at: plus(T0, 6000), data: { intent_id: 'mybnb:refund:dec_000000000000000000000000' } });
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.code, 'not_found');
      const extra = await h.engine.event({ id: eventId(), type: 'money.retry_requested', occurred_at: plus(T0, 6000), data: { intent_id: intent.intent_id, amount: 1 } });
      assert.equal(extra.status, 422);
      assert.equal((await h.sidecar.db('inbox_events').count({ n: '*' }).first())!.n, inboxBefore, 'nothing stored');

      const ok = await h.engine.event({ id: eventId(), type: 'money.retry_requested', occurred_at: plus(T0, 6000), data: { intent_id: intent.intent_id } });
      assert.equal(ok.status, 202, ok.text);
      await h.settle();
      const refunds = [...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_rd_term');
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0]!.amount, amount);
      view = await h.reader.get('/bookings/bk_rd_term');
      assert.equal(view.body.state, 'refunded');
      const again = await h.engine.event({ id: eventId(), type: 'money.retry_requested', occurred_at: plus(T0, 6001), data: { intent_id: intent.intent_id } });
      assert.equal(again.status, 202);
      await h.settle();
      const result = await h.sidecar.db('event_results as r').join('inbox_events as i', 'i.id', 'r.inbox_id').where('i.event_id', again.body.event_id).first('r.status', 'r.code');
      assert.deepEqual([result.status, result.code], ['ignored', 'not_terminal']);
    });

    test('past the 24 h key lifetime a late round asks Stripe first and never pays twice', async () => {
      await paidBooking('bk_rd_late', { check_in: '2026-11-20', check_out: '2026-11-23' });
      const T0 = '2026-10-13T10:00:00Z';
      // Stripe makes the refund but the answer is lost (the SDK retries a reset once by itself)
      h.fake!.faults.crashAfterCommit({ method: 'POST', path: /^\/v1\/refunds$/, count: 2 });
      await cancelByGuest('bk_rd_late', T0);
      await h.settle();
      const intent = (await allIntents(h.sidecar.db)).find((i) => i.booking_id === 'bk_rd_late' && i.operation === 'refund')!;
      assert.equal(intent.status, 'exhausted');
      assert.equal([...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_rd_late').length, 1);
      h.fake!.expireIdempotencyKeys(); // a day later Stripe no longer knows the key
      await at(plus(T0, 25 * 60));
      const grant = await h.sidecar.db('outbox_redrives').where({ intent_id: intent.intent_id }).first();
      assert.equal(Boolean(grant.lookup_first), true);
      const after = (await allIntents(h.sidecar.db)).find((i) => i.intent_id === intent.intent_id)!;
      assert.equal(after.status, 'succeeded');
      assert.equal([...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_rd_late').length, 1, 'found, not made again');
      assert.equal(h.fake!.state.requests.filter((q) => q.method === 'GET' && q.path === '/v1/refunds').length >= 1, true);
      assert.equal((await h.reader.get('/bookings/bk_rd_late')).body.state, 'refunded');
      assert.deepEqual((await verifyDecisions(h.sidecar.db)).problems, [], 'every decision re-derives from its recorded input');
    });
  });
}
