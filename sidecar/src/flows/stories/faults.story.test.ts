/**
 * Fault stories, through HTTP with the Stripe fake, on both dialects: a guest-cancelled booking
 * (refund intent) and a host payout (transfer intent) meet 5xx, 429, timeouts and replies lost
 * after Stripe committed. The outbox retries with backoff (attempts appended, next_attempt_at
 * respected) and each story ends with exactly one refund / transfer at Stripe and exactly one
 * ledger entry for it. A refusal is recorded as failed with Stripe's code and never retried;
 * retries that never succeed end exhausted, visible through GET /outbox and the CLI.
 *
 * The harness's background outbox loop is stopped: every pass is driven here with
 * `outbox.runOnce(now_ms)` and an explicit `now`, so no test waits for a backoff in real time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Stripe from 'stripe';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { cancelRequested, checkedIn, confirmed, hostConnected, tick, total } from '../../testing/events.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';
import type { IntentStatus, OutboxAttempt } from '../outbox/intents.js';
import type { DatabaseTarget } from '../../db/database-url.js';

const REPO = new URL('../../../../', import.meta.url).pathname;
const BASE_DELAY_MS = 500; // the worker's default
const STRIPE_TIMEOUT_MS = 400;

type Fault = { name: string; inject: (h: Harness, path: RegExp) => void; attempts: Array<{ outcome: string; http_status: number | null; error_code: string | null }> };

const retry = (http_status: number | null, error_code: string) => ({ outcome: 'retryable', http_status, error_code });
const ok = { outcome: 'succeeded', http_status: 200, error_code: null };

/** Each fault answers the first requests of one intent; the later attempts reach the fake normally. */
const FAULTS: Fault[] = [
  { name: '500', inject: (h, path) => h.fake!.faults.next({ status: 500, path, count: 2 }), attempts: [retry(500, 'api_error'), retry(500, 'api_error'), ok] },
  { name: '503', inject: (h, path) => h.fake!.faults.next({ status: 503, path, count: 3 }), attempts: [retry(503, 'api_error'), retry(503, 'api_error'), retry(503, 'api_error'), ok] },
  { name: '429', inject: (h, path) => h.fake!.faults.next({ status: 429, path, count: 2 }), attempts: [retry(429, 'rate_limit'), retry(429, 'rate_limit'), ok] },
  { name: 'timeout', inject: (h, path) => h.fake!.faults.timeout({ path }), attempts: [retry(null, 'StripeConnectionError'), ok] },
  // The SDK retries a reset connection once by itself (even with maxNetworkRetries 0): drop both.
  { name: 'crashAfterCommit', inject: (h, path) => h.fake!.faults.crashAfterCommit({ path, count: 2 }), attempts: [retry(null, 'StripeConnectionError'), ok] },
];

function databaseUrl(t: DatabaseTarget): string {
  return t.dialect === 'sqlite' ? `sqlite:${t.filename}` : `mysql://${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}@${t.host}:${t.port}/${t.database}`;
}

for (const dialect of dialects()) {
  describe(`fault stories on ${dialect}: one refund, one transfer, one entry whatever Stripe does`, () => {
    let h: Harness;
    let outside: Stripe;
    before(async () => {
      h = await startHarness(dialect, { stripe: true, stripeTimeout_ms: STRIPE_TIMEOUT_MS });
      await h.sidecar.outbox!.stop(); // passes are driven by the tests, with explicit times
      outside = new Stripe('sk_test_outside_the_sidecar', { ...h.fake!.sdkOptions, maxNetworkRetries: 0, telemetry: false });
    });
    after(async () => h?.stop());

    const outbox = () => h.sidecar.outbox!;
    const quiet = async () => {
      await h.fake!.deliverAll();
      await h.sidecar.dispatcher.drain();
    };

    /** A confirmed, paid booking (payment webhooks processed, Stripe fee looked up). */
    async function paidBooking(booking_id: string, o: { host_id?: string; check_in?: string; check_out?: string } = {}) {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_placeholder', host_id: o.host_id ?? 'host_faults', check_in: o.check_in ?? '2027-03-10', check_out: o.check_out ?? '2027-03-13' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      const r = await h.engine.event(ev);
      assert.equal(r.status, 202, r.text);
      await h.settle();
      const view = await h.reader.get(`/bookings/${booking_id}`);
      assert.equal(view.body.state, 'paid', view.text);
      return { pi, total: total(ev.data) };
    }

    /** The guest previews, consents to that exact outcome, and cancels. */
    async function guestCancels(booking_id: string, at = '2026-09-15T10:00:00Z') {
      const preview = await h.engine.get(`/preview/outcome?action=cancel&booking_id=${booking_id}&by=guest&at=${encodeURIComponent(at)}`);
      assert.equal(preview.status, 200, preview.text);
      assert.ok(preview.body.outcome.refund_to_guest > 0);
      const r = await h.engine.event(cancelRequested(booking_id, 'guest', preview.body.outcome_hash, at));
      assert.equal(r.status, 202, r.text);
      await quiet();
      return preview.body as { outcome: { refund_to_guest: number }; outcome_hash: string };
    }

    /** A paid, checked-in booking of a connected host, then the tick 24 h after check-in: a transfer intent. */
    async function payoutDue(booking_id: string, host_id: string, account: string) {
      assert.equal((await h.engine.event(hostConnected(host_id, account, '2026-09-01T09:00:00Z'))).status, 202);
      await paidBooking(booking_id, { host_id, check_in: '2026-10-10', check_out: '2026-10-13' });
      await h.engine.event(checkedIn(booking_id, '2026-10-10T13:05:00Z'));
      await quiet();
    }

    /** The booking's intent of `operation`, as GET /outbox shows it. */
    async function intentOf(booking_id: string, operation: string, status?: string): Promise<IntentStatus> {
      const r = await h.operator.get(`/outbox${status ? `?status=${status}` : ''}`);
      assert.equal(r.status, 200, r.text);
      const mine = (r.body.intents as IntentStatus[]).filter((i) => i.booking_id === booking_id && i.operation === operation);
      assert.equal(mine.length, 1, `one ${operation} intent for ${booking_id}${status ? ` with status ${status}` : ''}`);
      return mine[0]!;
    }

    const rawAttempts = (intent_id: string) => h.sidecar.db('outbox_attempts').where({ intent_id }).orderBy('id').select('*');

    /**
     * Runs the outbox until the intent is final. Before each retry it checks that a pass one
     * millisecond before next_attempt_at leaves the intent alone, that the wait follows the
     * capped exponential backoff, and that earlier attempt rows never change.
     */
    async function driveToEnd(booking_id: string, operation: string): Promise<IntentStatus> {
      let now = Date.now();
      let rows: unknown[] = [];
      for (let pass = 0; pass < 12; pass++) {
        const before = await intentOf(booking_id, operation);
        if (!['pending', 'retrying'].includes(before.status)) return before;
        const last = before.attempts.at(-1);
        if (last) {
          assert.ok(last.next_attempt_at, 'a retryable attempt says when to try again');
          const ceiling = Math.min(60_000, BASE_DELAY_MS * 2 ** (last.attempt - 1));
          const wait = Date.parse(last.next_attempt_at) - Date.parse(last.attempted_at);
          assert.ok(wait >= ceiling / 2 && wait <= ceiling + STRIPE_TIMEOUT_MS + 500, `attempt ${last.attempt} waits ${wait} ms, backoff ceiling ${ceiling}`);
          await outbox().runOnce(Date.parse(last.next_attempt_at) - 1);
          assert.equal((await intentOf(booking_id, operation)).attempts.length, before.attempts.length, 'not retried before next_attempt_at');
          now = Date.parse(last.next_attempt_at);
        }
        await outbox().runOnce(now);
        await quiet();
        const after = await rawAttempts(before.intent_id);
        assert.deepEqual(after.slice(0, rows.length), rows, 'earlier attempt rows are unchanged');
        assert.equal(after.length, rows.length + 1, 'each pass appends exactly one attempt');
        rows = after;
      }
      assert.fail(`${operation} of ${booking_id} did not finish`);
    }

    const shape = (a: OutboxAttempt[]) => a.map((x) => ({ outcome: x.outcome, http_status: x.http_status, error_code: x.error_code }));
    const entriesWithKey = async (key: string) => Number((await h.sidecar.db('journal_entries').where({ idempotency_key: key }).count({ n: '*' }).first())?.n);
    const entriesOfKind = async (booking_id: string, kind: string) => Number((await h.sidecar.db('journal_entries').where({ booking_id, kind }).count({ n: '*' }).first())?.n);

    async function ledgerSound() {
      const tb = await trialBalance(h.sidecar.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, `trial balance ${row.unit}`);
      const report = await verifyLedger(h.sidecar.db);
      assert.equal(report.ok, true, JSON.stringify(report.first_bad));
    }

    for (const fault of FAULTS) {
      test(`refund after a guest cancellation survives ${fault.name}: one refund at Stripe, one refund_paid entry`, async () => {
        const booking_id = `bk_${dialect}_refund_${fault.name}`;
        const { pi } = await paidBooking(booking_id);
        fault.inject(h, /^\/v1\/refunds$/);
        const preview = await guestCancels(booking_id);

        const pending = await intentOf(booking_id, 'refund', 'pending');
        assert.equal(pending.intent_id, `mybnb:refund:${pending.decision_id}`, 'the idempotency key is derived from the decision');
        assert.deepEqual([pending.params.payment_intent, pending.params.amount], [pi.id, preview.outcome.refund_to_guest]);
        assert.equal(pending.attempts.length, 0);

        const done = await driveToEnd(booking_id, 'refund');
        assert.equal(done.status, 'succeeded');
        assert.deepEqual(shape(done.attempts), fault.attempts);
        assert.deepEqual(done.attempts.map((a) => a.attempt), fault.attempts.map((_, i) => i + 1));

        const refunds = [...h.fake!.state.refunds.values()].filter((r) => r.payment_intent === pi.id);
        assert.equal(refunds.length, 1, 'exactly one refund at Stripe');
        const re = refunds[0]!;
        assert.equal(re.amount, preview.outcome.refund_to_guest, 'the refund is the consented preview');
        assert.equal(done.attempts.at(-1)!.stripe_object_id, re.id);
        const calls = h.fake!.state.requests.filter((r) => r.path === '/v1/refunds' && r.idempotencyKey === pending.intent_id);
        assert.ok(calls.length >= fault.attempts.length, 'every attempt reached Stripe with the same key');
        assert.equal(h.fake!.state.requests.filter((r) => r.path === '/v1/refunds' && r.idempotencyKey !== pending.intent_id && r.status === 200 && !r.replayed).length, FAULTS.indexOf(fault), 'no other refund call made a refund for this story');

        assert.equal(await entriesWithKey(`refund:${re.id}`), 1, 'one ledger entry for the refund');
        assert.equal(await entriesOfKind(booking_id, 'refund_paid'), 1);
        const view = await h.reader.get(`/bookings/${booking_id}`);
        assert.equal(view.body.state, 'refunded');
        assert.equal(view.body.refunded_minor, preview.outcome.refund_to_guest);
        assert.equal(view.body.refund_pending_minor, 0);
        await ledgerSound();
      });

      test(`host payout survives ${fault.name}: one transfer at Stripe, one host_transfer entry`, async () => {
        const booking_id = `bk_${dialect}_payout_${fault.name}`;
        const host_id = `host_${fault.name}`;
        await payoutDue(booking_id, host_id, `acct_1Fault${fault.name}`);
        fault.inject(h, /^\/v1\/transfers$/);
        await h.engine.event(tick('2026-10-11T13:00:00Z'));
        await quiet();

        const pending = await intentOf(booking_id, 'transfer', 'pending');
        assert.equal(pending.intent_id, `mybnb:transfer:${pending.decision_id}`);
        assert.equal((await h.reader.get(`/bookings/${booking_id}`)).body.state, 'payout_pending');

        const done = await driveToEnd(booking_id, 'transfer');
        assert.equal(done.status, 'succeeded');
        assert.deepEqual(shape(done.attempts), fault.attempts);

        const transfers = [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id);
        assert.equal(transfers.length, 1, 'exactly one transfer at Stripe');
        const tr = transfers[0]!;
        assert.equal(tr.amount, pending.params.amount);
        assert.equal(tr.destination, `acct_1Fault${fault.name}`);
        assert.equal(done.attempts.at(-1)!.stripe_object_id, tr.id);
        assert.equal(await entriesWithKey(`transfer:${tr.id}`), 1, 'one ledger entry for the transfer');
        assert.equal(await entriesOfKind(booking_id, 'host_transfer'), 1);
        assert.equal((await h.reader.get(`/bookings/${booking_id}`)).body.state, 'paid_out');

        // a later tick does not pay the host again
        await h.engine.event(tick('2026-10-12T13:00:00Z'));
        await quiet();
        await outbox().runOnce(Date.now() + 3_600_000);
        await quiet();
        assert.equal([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id).length, 1);
        await ledgerSound();
      });
    }

    // A cancellation decided while the payout transfer is still in the outbox counts it as paid out:
    // the decision's recovery is reversed from the transfer once Stripe confirms it.
    test('a guest cancellation while the payout transfer is still retrying pays the host only what the decision says', async () => {
      const booking_id = `bk_${dialect}_payout_inflight`;
      await h.engine.event(hostConnected('host_inflight', 'acct_1FaultInflight', '2026-09-01T09:00:00Z'));
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id, payment_intent_id: 'pi_placeholder', host_id: 'host_inflight', cancellation_policy: 'flexible', check_in: '2026-10-10', check_out: '2026-10-17' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      await h.engine.event(checkedIn(booking_id, '2026-10-10T13:05:00Z'));
      h.fake!.faults.next({ status: 503, path: /^\/v1\/transfers$/ });
      await h.engine.event(tick('2026-10-11T13:00:00Z'));
      await quiet();
      await outbox().runOnce(Date.now()); // the transfer meets a 503 and waits for its retry
      assert.equal((await intentOf(booking_id, 'transfer')).status, 'retrying');

      const preview = await guestCancels(booking_id, '2026-10-11T14:00:00Z');
      const host_payout = (preview.outcome as { host_payout?: number }).host_payout!;
      for (let i = 0; i < 5; i++) {
        await outbox().runOnce(Date.now() + 3_600_000 * (i + 1));
        await quiet();
      }
      const transfers = [...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id);
      const netToHost = transfers.reduce((sum, t) => sum + t.amount - t.amount_reversed, 0);
      assert.equal(netToHost, host_payout, 'the host keeps what the consented decision says, no more');
      const held = await h.sidecar.db('journal_lines').where({ account_code: `booking:${booking_id}:host_share:USD` }).select('direction', 'amount_minor');
      const balance = held.reduce((s: number, l: { direction: string; amount_minor: unknown }) => s + (l.direction === 'C' ? 1 : -1) * Number(l.amount_minor), 0);
      assert.ok(balance >= 0, `the booking's host share liability went negative (${balance})`);
      await ledgerSound();
    });

    test('a refusal (400 charge_already_refunded) is recorded failed with Stripe\'s code and never retried', async () => {
      const booking_id = `bk_${dialect}_refund_refused`;
      const { pi } = await paidBooking(booking_id);
      // Someone refunded the whole charge in Stripe's dashboard: our refund can only be refused.
      await outside.refunds.create({ payment_intent: pi.id });
      await quiet();
      await guestCancels(booking_id);
      const intent = await intentOf(booking_id, 'refund', 'pending');

      await outbox().runOnce(Date.now());
      await outbox().runOnce(Date.now() + 30 * 86_400_000);
      await outbox().runOnce(Date.now() + 365 * 86_400_000);
      const failed = await intentOf(booking_id, 'refund', 'failed');
      assert.equal(failed.attempts.length, 1, 'no retry after a 4xx');
      assert.deepEqual(shape(failed.attempts), [{ outcome: 'failed', http_status: 400, error_code: 'charge_already_refunded' }]);
      assert.equal(failed.attempts[0]!.next_attempt_at, null);
      assert.match(failed.attempts[0]!.error_message!, /already been refunded/);
      assert.equal(h.fake!.state.requests.filter((r) => r.idempotencyKey === intent.intent_id).length, 1);
      assert.equal(await entriesOfKind(booking_id, 'refund_paid'), 0, 'no refund was paid by us');
      const view = await h.reader.get(`/bookings/${booking_id}`);
      assert.equal(view.body.state, 'refund_pending', 'the owed refund stays visible');
      assert.ok(view.body.refund_pending_minor > 0);
      await ledgerSound();
    });

    test('retries that never succeed end exhausted after maxAttempts, visible through GET /outbox and the CLI', async () => {
      const booking_id = `bk_${dialect}_payout_exhausted`;
      await payoutDue(booking_id, 'host_exhausted', 'acct_1FaultExhausted');
      h.fake!.faults.next({ status: 503, path: /^\/v1\/transfers$/, count: 8 });
      await h.engine.event(tick('2026-10-11T13:00:00Z'));
      await quiet();

      const done = await driveToEnd(booking_id, 'transfer');
      assert.equal(done.status, 'exhausted');
      assert.equal(done.attempts.length, 8, 'the default maxAttempts');
      assert.deepEqual(done.attempts.map((a) => a.outcome), [...Array(7).fill('retryable'), 'exhausted']);
      assert.equal(done.attempts.at(-1)!.next_attempt_at, null);
      assert.equal(h.fake!.faults.pending(), 0);
      await outbox().runOnce(Date.now() + 365 * 86_400_000);
      assert.equal((await intentOf(booking_id, 'transfer', 'exhausted')).attempts.length, 8, 'an exhausted intent is left alone');
      assert.equal([...h.fake!.state.transfers.values()].filter((t) => t.transfer_group === booking_id).length, 0);
      assert.equal(await entriesOfKind(booking_id, 'host_transfer'), 0);
      const view = await h.reader.get(`/bookings/${booking_id}`);
      assert.equal(view.body.state, 'payout_pending');
      assert.deepEqual(view.body.pending_transfers.map((p: { status: string }) => p.status), ['exhausted']);

      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'sidecar/src/cli/main.ts', 'outbox', '--status', 'exhausted'], { cwd: REPO, env: { ...process.env, DATABASE_URL: databaseUrl(h.t.target) }, encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);
      const line = cli.stdout.split('\n').find((l) => l.includes(done.intent_id));
      assert.ok(line, cli.stdout);
      assert.match(line, /^exhausted\s+transfer\s/);
      assert.match(line, new RegExp(`booking=${booking_id} attempts=8 last=api_error`));
      assert.match(cli.stdout, /^1 intent\(s\)$/m);
      await ledgerSound();
    });
  });
}
