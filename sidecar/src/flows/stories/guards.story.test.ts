import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, eventId, total } from '../../testing/events.js';
import { trialBalance, verifyLedger } from '../ledger/index.js';
import { postStripeWebhook } from '../../client/signed-client.js';
import { WEBHOOK_SECRET } from '../../testing/harness.js';

for (const dialect of dialects()) {
  describe(`guarded stories on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
    });
    after(async () => h?.stop());

    test('a payment whose amount disagrees with the price is parked and flagged, not guessed at; a correction releases it', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_short', payment_intent_id: 'pi_x' });
      const pi = h.fake!.createPayment({ amount: total(ev.data) - 100, currency: 'usd', metadata: { booking_id: 'bk_short' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      const paymentEvent = h.fake!.state.events.find((e) => e.event.type === 'payment_intent.succeeded' && (e.event.data.object as { id: string }).id === pi.id)!;
      const status = await h.operator.get(`/inbox/stripe/${paymentEvent.event.id}`);
      assert.equal(status.body.status, 'parked', status.text);
      assert.equal(status.body.code, 'amount_mismatch');
      assert.match(status.body.reason, /received 42100 USD, the booking's total is 42200 USD/);
      const view = await h.reader.get('/bookings/bk_short');
      assert.equal(view.body.state, 'awaiting_payment');
      assert.equal(view.body.paid_minor, 0, 'nothing posted');
      assert.equal(view.body.flags[0].code, 'amount_mismatch');
      const entries = await h.auditor.get('/ledger/entries?booking_id=bk_short');
      assert.deepEqual(entries.body.entries.filter((e: { kind: string }) => e.kind === 'payment_received'), []);

      // the booking engine corrects the price (a discount it forgot to send): the parked payment now matches
      await h.engine.event({ id: eventId(), type: 'booking.modified', occurred_at: '2026-09-01T10:05:00Z', data: { booking_id: 'bk_short', guest_service_fee: ev.data.guest_service_fee - 100 } });
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/stripe/${paymentEvent.event.id}`)).body.status, 'processed');
      assert.equal((await h.reader.get('/bookings/bk_short')).body.state, 'paid');
    });

    test('consent to an outcome that has changed is refused (outcome_changed), with evidence, and moves no money', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_late', payment_intent_id: 'pi_x', cancellation_policy: 'moderate', check_in: '2026-10-10', check_out: '2026-10-13' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_late' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      // previewed 5 days + 1 h before check-in (full refund) ...
      const seen = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_late&by=guest&at=2026-10-05T12:00:00Z');
      assert.equal(seen.body.outcome.lines.nightly_refund, ev.data.nightly_total);
      assert.equal(seen.body.valid_until, '2026-10-05T13:00:00Z', 'full refund holds until exactly 5 days before 15:00 Paris');
      // ... the same hash holds at any moment up to valid_until
      const later = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_late&by=guest&at=2026-10-05T13:00:00Z');
      assert.equal(later.body.outcome_hash, seen.body.outcome_hash);
      // ... but the guest confirms one second after the window closed
      const cancel = { id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-10-05T13:00:01Z', data: { booking_id: 'bk_late', by: 'guest', consent: { outcome_hash: seen.body.outcome_hash, actor: 'guest_1', consented_at: '2026-10-05T12:00:00Z' } } };
      await h.engine.event(cancel);
      await h.settle();
      const st = await h.operator.get(`/inbox/booking/${cancel.id}`);
      assert.equal(st.body.status, 'processed');
      assert.equal(st.body.code, 'outcome_changed');
      assert.equal([...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_late').length, 0, 'no refund at Stripe');
      assert.equal((await h.reader.get('/bookings/bk_late')).body.state, 'paid');
      const evidence = await h.auditor.get('/bookings/bk_late/evidence');
      const refusal = evidence.body.decisions.find((d: { action: string }) => d.action === 'cancel_by_guest');
      assert.equal(refusal.allowed, false);
      assert.equal(refusal.reason, 'outcome_changed');
      assert.notEqual(refusal.outcome_hash, seen.body.outcome_hash);
      assert.match(refusal.consent_hash, /^sha256:[0-9a-f]{64}$/);
      assert.equal(refusal.evaluated_at, '2026-10-05T13:00:01Z');
      assert.equal(refusal.policy, 'cancellation/moderate');
      const one = await h.auditor.get(`/evidence/${refusal.decision_id}`);
      assert.equal(one.body.decision_id, refusal.decision_id);

      // previewing again and consenting to what is shown now executes exactly that
      const now = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_late&by=guest&at=2026-10-05T13:00:02Z');
      const retry = { id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-10-05T13:00:02Z', data: { booking_id: 'bk_late', by: 'guest', consent: { outcome_hash: now.body.outcome_hash, actor: 'guest_1', consented_at: '2026-10-05T13:00:02Z' } } };
      await h.engine.event(retry);
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/booking/${retry.id}`)).body.code, null);
      const refund = [...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_late');
      assert.equal(refund.length, 1);
      assert.equal(refund[0]!.amount, now.body.outcome.refund_to_guest);
      assert.ok(now.body.outcome.refund_to_guest < seen.body.outcome.refund_to_guest);
    });

    test('a failed refund is visible (refund_failed), not posted as paid', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_fail', payment_intent_id: 'pi_x', cancellation_policy: 'flexible' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_fail' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      const p = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_fail&by=guest&at=2026-09-10T00:00:00Z');
      h.fake!.failNextRefund('expired_or_canceled_card');
      await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-09-10T00:00:00Z', data: { booking_id: 'bk_fail', by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: '2026-09-10T00:00:00Z' } } });
      await h.settle();
      const view = await h.reader.get('/bookings/bk_fail');
      assert.equal(view.body.state, 'refund_failed');
      assert.equal(view.body.refunded_minor, 0);
      assert.equal(view.body.refund_pending_minor, p.body.outcome.refund_to_guest, 'still owed to the guest, visibly');
      assert.ok(view.body.flags.some((f: { code: string }) => f.code === 'refund_failed'));
    });

    test('a refund that fails after it succeeded is reversed in the ledger and the booking shows it owed again', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_late_fail', payment_intent_id: 'pi_x', cancellation_policy: 'flexible' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_late_fail' } });
      ev.data.payment_intent_id = pi.id;
      await h.engine.event(ev);
      await h.settle();
      const p = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_late_fail&by=guest&at=2026-09-10T00:00:00Z');
      await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-09-10T00:00:00Z', data: { booking_id: 'bk_late_fail', by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: '2026-09-10T00:00:00Z' } } });
      await h.settle();
      assert.equal((await h.reader.get('/bookings/bk_late_fail')).body.state, 'refunded');
      const refund = [...h.fake!.state.refunds.values()].find((r) => r.metadata?.booking_id === 'bk_late_fail')!;
      const failed = { id: 'evt_late_fail_1', object: 'event', api_version: '2026-07-29.dahlia', created: 1790000000, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'refund.updated', data: { object: { ...refund, status: 'failed', failure_reason: 'lost_or_stolen_card' } } };
      assert.equal((await postStripeWebhook(h.sidecar.url, failed, WEBHOOK_SECRET)).status, 200);
      await postStripeWebhook(h.sidecar.url, { ...failed, id: 'evt_late_fail_2' }, WEBHOOK_SECRET); // reported twice, reversed once
      await h.settle();
      const view = await h.reader.get('/bookings/bk_late_fail');
      assert.equal(view.body.state, 'refund_failed');
      assert.equal(view.body.refunded_minor, 0);
      assert.equal(view.body.refund_pending_minor, p.body.outcome.refund_to_guest);
      const entries = (await h.auditor.get('/ledger/entries?booking_id=bk_late_fail')).body.entries as Array<{ kind: string }>;
      assert.equal(entries.filter((e) => e.kind === 'reversal').length, 1);
    });

    test('a payment that arrives after its booking was cancelled unpaid is refunded in full', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_unpaid_cancel', payment_intent_id: 'pi_1UnpaidCancel000001', cancellation_policy: 'strict' });
      await h.engine.event(ev);
      await h.settle();
      const p = await h.reader.get('/preview/outcome?action=cancel&booking_id=bk_unpaid_cancel&by=guest&at=2026-09-05T00:00:00Z');
      assert.equal(p.body.outcome.refund_to_guest, 0, 'nothing paid, nothing to refund');
      await h.engine.event({ id: eventId(), type: 'booking.cancel_requested', occurred_at: '2026-09-05T00:00:00Z', data: { booking_id: 'bk_unpaid_cancel', by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: '2026-09-05T00:00:00Z' } } });
      await h.settle();
      assert.equal((await h.reader.get('/bookings/bk_unpaid_cancel')).body.state, 'cancelled');
      // the guest's card was charged anyway (the webhook was late): all of it goes back
      const late = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_unpaid_cancel' } });
      assert.notEqual(late.id, ev.data.payment_intent_id);
      const pi = structuredClone(h.fake!.state.paymentIntents.get(late.id)!) as unknown as Record<string, unknown>;
      pi.id = ev.data.payment_intent_id;
      const lateEvent = { id: 'evt_late_payment_1', object: 'event', api_version: '2026-07-29.dahlia', created: 1790000000, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'payment_intent.succeeded', data: { object: pi } };
      // Stripe's fake knows the payment under its own id; refunds go to the id the booking names, so point them there
      h.fake!.state.paymentIntents.set(ev.data.payment_intent_id, { ...h.fake!.state.paymentIntents.get(late.id)!, id: ev.data.payment_intent_id });
      assert.equal((await postStripeWebhook(h.sidecar.url, lateEvent, WEBHOOK_SECRET)).status, 200);
      await h.settle();
      const st = await h.operator.get('/inbox/stripe/evt_late_payment_1');
      assert.equal(st.body.code, 'refunded_late_payment', st.text);
      const view = await h.reader.get('/bookings/bk_unpaid_cancel');
      assert.equal(view.body.paid_minor, total(ev.data));
      assert.equal(view.body.refunded_minor, total(ev.data), view.text);
      assert.equal(view.body.state, 'refunded');
    });

    test('a check-in that arrives before the payment waits for it instead of failing', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_early_in', payment_intent_id: 'pi_x' });
      await h.engine.event(ev);
      const checkIn = { id: eventId(), type: 'stay.checked_in', occurred_at: '2026-10-10T13:30:00Z', data: { booking_id: 'bk_early_in' } };
      await h.engine.event(checkIn);
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/booking/${checkIn.id}`)).body.status, 'parked');
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_early_in' } });
      // the booking names its payment intent up front; the fake picks its own id, so re-point the booking's
      h.fake!.state.paymentIntents.set(ev.data.payment_intent_id, { ...pi, id: ev.data.payment_intent_id });
      const paid = { id: 'evt_early_in_paid', object: 'event', api_version: '2026-07-29.dahlia', created: 1790000000, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'payment_intent.succeeded', data: { object: { ...pi, id: ev.data.payment_intent_id } } };
      await postStripeWebhook(h.sidecar.url, paid, WEBHOOK_SECRET);
      await h.settle();
      assert.equal((await h.operator.get(`/inbox/booking/${checkIn.id}`)).body.status, 'processed');
      assert.equal((await h.reader.get('/bookings/bk_early_in')).body.state, 'checked_in');
    });

    test('after all of it the ledger balances and verifies', async () => {
      const tb = await trialBalance(h.sidecar.db);
      for (const row of tb.rows) assert.equal(row.debits_minor, row.credits_minor, row.unit);
      assert.equal((await verifyLedger(h.sidecar.db)).ok, true);
    });
  });
}
