/**
 * Replay re-makes the re-drive decisions (issue #12's outbound_redrive, outbound_terminal,
 * outbound_reopen; found by the simulation, issue #18: `MYBNB_SIM_REPLAY_REDRIVES`). They are
 * decided from logged facts only (the outbox's failed attempts enter the log as
 * `outbox.attempt_failed`, the ticks and `money.retry_requested` are events), so the log alone
 * re-derives them. What broke them: live, an intent is made in one batch and its failures arrive in
 * later ones; a replay dispatches the whole log in a few batches, where the batch loaded the
 * intent's history before the event that makes it ran, cached "no such intent", and then ignored
 * every failure of it (`unknown_intent`) — no round ended, so no tick re-drove it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { dialects, freshDatabase, type TestDatabase } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { confirmed, eventId, hostConnected, tick, total } from '../testing/events.js';
import { allIntents } from '../flows/outbox/intents.js';
import { replayInto, type ReplayReport } from './replay.js';

const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');

for (const dialect of dialects()) {
  describe(`replay re-makes the re-drive decisions, on ${dialect}`, () => {
    let h: Harness;
    let target: TestDatabase;
    let report: ReplayReport;

    before(async () => {
      // one call per round: every failed call ends its round, so the ticks decide
      h = await startHarness(dialect, { stripe: true, outbox: { maxAttempts: 1 } });
      const fake = h.fake!;
      await h.engine.event(hostConnected('host_1', 'acct_1ReplayRedrive', '2026-09-01T09:00:00Z'));
      const pay = async (booking_id: string, extra: Record<string, unknown> = {}) => {
        const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_placeholder', ...extra });
        ev.data.payment_intent_id = fake.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } }).id;
        assert.equal((await h.engine.event(ev)).status, 202);
        await h.settle();
      };
      const cancel = async (booking_id: string, at: string) => {
        const p = await h.reader.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=guest&at=${encodeURIComponent(at)}`);
        assert.equal(p.status, 200, p.text);
        const r = await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id, by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: at } } });
        assert.equal(r.status, 202, r.text);
        await h.settle();
      };
      const at = async (iso: string) => {
        assert.equal((await h.engine.event(tick(iso))).status, 202);
        await h.settle();
      };
      await pay('bk_rr_pay'); // payout due 2026-10-11T13:00Z
      await pay('bk_rr_ref', { check_in: '2026-11-20', check_out: '2026-11-23' });
      await pay('bk_rr_term', { check_in: '2026-11-20', check_out: '2026-11-23' });
      const T0 = '2026-10-11T13:00:00Z';
      // an outage: the refund and the payout fail, rounds are granted by the schedule (outbound_redrive)
      const outage = fake.faults.outage({ status: 500, method: 'POST', path: /^\/v1\/(refunds|transfers)$/ });
      await cancel('bk_rr_ref', T0);
      await at(T0);
      await at(plus(T0, 5));
      outage.end();
      await at(plus(T0, 35));
      // a terminal error (outbound_terminal), re-opened by the booking engine (outbound_reopen)
      fake.faults.refuse({ code: 'charge_disputed', method: 'POST', path: /^\/v1\/refunds$/ });
      await cancel('bk_rr_term', plus(T0, 60));
      await at(plus(T0, 61));
      const term = (await allIntents(h.sidecar.db)).find((i) => i.booking_id === 'bk_rr_term' && i.operation === 'refund')!;
      assert.equal((await h.engine.event({ id: eventId(), type: 'money.retry_requested', occurred_at: plus(T0, 120), data: { intent_id: term.intent_id } })).status, 202);
      await h.settle();
      // ticks days apart: each asks for every day since the last one reconciled
      await at(plus(T0, 4 * 24 * 60));
      await at(plus(T0, 9 * 24 * 60));
      await h.sidecar.outbox?.stop();
      await h.sidecar.dispatcher.stop();
      target = await freshDatabase(dialect);
      report = await replayInto(h.sidecar.db, target.db, { logger: pino({ level: 'silent' }) });
    });
    after(async () => {
      await target?.drop();
      await h?.stop();
    });

    const actions = async (db: TestDatabase['db']) => (await db('decisions').whereIn('action', ['outbound_redrive', 'outbound_terminal', 'outbound_reopen']).orderBy('decision_id').select('decision_id', 'action', 'input_hash', 'outcome_hash'));

    test('the live run made all three kinds of re-drive decision', async () => {
      const kinds = new Set((await actions(h.sidecar.db)).map((d: { action: string }) => d.action));
      assert.deepEqual([...kinds].sort(), ['outbound_redrive', 'outbound_reopen', 'outbound_terminal']);
      assert.equal([...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_rr_term').length, 1, 'the re-opened refund was made');
    });

    test('the replay makes the same re-drive decisions, hash for hash, and the same ledger', async () => {
      assert.deepEqual(await actions(target.db), await actions(h.sidecar.db));
      assert.equal(report.decisions.identical, true, JSON.stringify(report.decisions));
      assert.equal(report.first_difference, null);
      assert.equal(report.replayed.head_hash, report.source.head_hash);
    });

    test('the replay derives the same outbox facts from the log: failures, rounds, terminal ends, and the intents asked for', async () => {
      const facts = async (db: TestDatabase['db']) => ({
        failures: await db('outbox_failures').orderBy('intent_id').orderBy('attempt').select('intent_id', 'attempt', 'round_ended', 'retryable', 'inbox_id'),
        rounds: await db('outbox_redrives').orderBy('intent_id').orderBy('round').select('intent_id', 'round', 'reason', 'granted_at', 'decision_id'),
        terminals: await db('outbox_terminals').orderBy('intent_id').orderBy('round').select('intent_id', 'round', 'reason', 'decision_id'),
        intents: await db('outbox_intents').orderBy('intent_id').select('intent_id', 'operation', 'inbox_id'),
      });
      const [a, b] = [await facts(h.sidecar.db), await facts(target.db)];
      assert.ok(a.failures.length >= 3 && a.rounds.length >= 2 && a.terminals.length >= 1, JSON.stringify(a));
      assert.ok(a.intents.filter((i: { operation: string }) => i.operation === 'reconcile_day').length >= 9, 'days between sparse ticks were asked for');
      assert.deepEqual(b, a);
      const results = async (db: TestDatabase['db']) => (await db('event_results').orderBy('inbox_id').select('inbox_id', 'status', 'code'));
      assert.deepEqual(await results(target.db), await results(h.sidecar.db), 'every event met the same fate');
    });
  });
}
