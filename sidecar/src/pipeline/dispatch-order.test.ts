import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { startHarness, WEBHOOK_SECRET } from '../testing/harness.js';
import { checkedIn, confirmed, total, completed } from '../testing/events.js';
import { postStripeWebhook } from '../client/signed-client.js';
import { paymentSucceeded } from '../http/stripe-fixtures.test-helper.js';
import { finalStatuses, ledgerSnapshot } from './ledger-snapshot.test-helper.js';
import { deliver, idOf, prng, shuffledWithCopies, storyDeliveries } from './scenario.test-helper.js';

const SEED = Number(process.env.MYBNB_SHUFFLE_SEED ?? 20260901);

for (const dialect of dialects()) {
  describe(`dispatch on ${dialect}`, () => {
    test('each event 5 times, shuffled with the others, gives the same ledger as each once in order', async () => {
      const tag = `ord${Math.random().toString(36).slice(2, 6)}`;
      const story = storyDeliveries(tag);

      // Reference: each delivery once, in story order.
      const ref = await startHarness(dialect);
      let reference: Awaited<ReturnType<typeof ledgerSnapshot>>;
      let referenceStatuses: Record<string, string>;
      try {
        for (const d of story) {
          const r = await deliver(ref, d);
          assert.ok(r.status === 200 || r.status === 202, `${d.name}: ${r.text}`);
        }
        await ref.settle();
        reference = await ledgerSnapshot(ref.sidecar.db);
        referenceStatuses = await finalStatuses(ref.sidecar.db, story.map(idOf));
      } finally {
        await ref.stop();
      }
      // The story is not trivial: payments, a cancellation with a refund, refusals, parking.
      assert.ok(Object.keys(reference.entries).length >= 4, JSON.stringify(Object.keys(reference.entries)));
      assert.equal(reference.verify.ok, true);
      for (const row of reference.trial) assert.equal(row.debits, row.credits, `trial balance ${row.unit}`);
      assert.deepEqual(reference.duplicatePostings, []);
      const byName = Object.fromEntries(story.map((d) => [d.name, referenceStatuses[`${idOf(d).source}:${idOf(d).event_id}`]]));
      assert.equal(byName['a.pay'], 'processed');
      assert.equal(byName['a.checkin'], 'processed');
      assert.equal(byName['b.pay'], 'processed');
      assert.equal(byName['c.cancel'], 'processed');
      // issue #13: a refund no decision made is real money that left: suspense, flagged, listed (not dropped)
      assert.equal(byName['a.rogue_refund'], 'processed/movement_outside_policy');
      assert.equal(byName['x.pay'], 'parked/booking_not_confirmed');
      assert.equal(byName['noise.payout'], 'ignored/connected_account_payout'); // issue #12: a host's own payout, not the platform's
      assert.equal(reference.states[`bk_${tag}_c`], 'refund_pending');
      assert.equal(reference.states[`bk_${tag}_d`], 'cancelled');

      // Shuffled: 5 copies of each, in a random order the senders could produce.
      const shuffled = shuffledWithCopies(story, 5, prng(SEED));
      assert.equal(shuffled.length, story.length * 5);
      const firstPayment = shuffled.findIndex((d) => d.name === 'b.pay');
      const firstConfirm = shuffled.findIndex((d) => d.name === 'b.confirm');
      const h = await startHarness(dialect);
      try {
        const answers: number[] = [];
        for (const d of shuffled) answers.push((await deliver(h, d)).status);
        assert.equal(answers.filter((s) => s === 202 || s === 200).length, shuffled.length, 'every copy acknowledged');
        assert.equal(answers.filter((s) => s === 202).length, story.filter((d) => d.source === 'booking').length, 'one 202 per engine event; copies get 200');
        await h.settle();
        const got = await ledgerSnapshot(h.sidecar.db);
        // What is compared, and why not entry_hash: see ledger-snapshot.test-helper.ts. The content of
        // every entry (by idempotency key), every balance, decision, booking state and event fate is.
        assert.deepEqual(got.detail, reference.detail, `seed ${SEED}`);
        assert.deepEqual(got.entries, reference.entries);
        assert.deepEqual(got.balances, reference.balances);
        assert.deepEqual(got.trial, reference.trial);
        assert.deepEqual(got.decisions, reference.decisions);
        assert.deepEqual(got.states, reference.states);
        assert.deepEqual(got.duplicatePostings, []);
        assert.equal(got.verify.ok, true);
        assert.equal(got.verify.entries, reference.verify.entries);
        assert.deepEqual(await finalStatuses(h.sidecar.db, story.map(idOf)), referenceStatuses);
        const stored = await h.sidecar.db('inbox_events').whereIn('source', ['booking', 'stripe']).count({ n: '*' }).first();
        assert.equal(Number(stored?.n), story.length, 'each event stored once');
        if (firstPayment < firstConfirm) {
          const parkings = await h.sidecar.db('event_parkings as p').join('inbox_events as i', 'i.id', 'p.inbox_id').where('i.event_id', String(story.find((d) => d.name === 'b.pay')!.body!.id)).select('p.code');
          assert.ok(parkings.length >= 1, 'the payment that came first was parked, then processed');
        }
      } finally {
        await h.stop();
      }
    });

    test('a payment before its confirmation is visibly parked with its reason, then processed after it', async () => {
      const h = await startHarness(dialect);
      try {
        const conf = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_park_1', payment_intent_id: 'pi_park_1' });
        const pay = paymentSucceeded({ booking_id: 'bk_park_1', payment_intent_id: 'pi_park_1', amount: total(conf.data), created: Math.floor(Date.parse('2026-09-01T10:05:00Z') / 1000) });
        assert.equal((await postStripeWebhook(h.sidecar.url, pay, WEBHOOK_SECRET)).status, 200);
        await h.sidecar.dispatcher.drain();
        let seen = await h.operator.get(`/inbox/stripe/${pay.id}`);
        assert.equal(seen.body.status, 'parked', seen.text);
        assert.equal(seen.body.code, 'booking_not_confirmed');
        assert.match(seen.body.reason, /bk_park_1/);
        assert.equal(seen.body.parkings.length, 1);

        // a tick in between does not unpark it (other stream), and draining again changes nothing
        assert.equal(await h.sidecar.dispatcher.drain(), 0);
        seen = await h.operator.get(`/inbox/stripe/${pay.id}`);
        assert.equal(seen.body.status, 'parked');
        assert.equal(seen.body.parkings.length, 1, 'no new parking row without a change');

        assert.equal((await h.engine.event(conf)).status, 202);
        await h.sidecar.dispatcher.drain();
        seen = await h.operator.get(`/inbox/stripe/${pay.id}`);
        assert.equal(seen.body.status, 'processed', seen.text);
        assert.equal(seen.body.parkings.length, 1, 'the parking stays visible in its history');
        assert.equal(seen.body.parkings[0].code, 'booking_not_confirmed');
        const view = await h.reader.get('/bookings/bk_park_1');
        assert.equal(view.body.state, 'paid');
        const entries = await h.auditor.get('/ledger/entries?booking_id=bk_park_1');
        assert.equal(entries.body.entries.length, 1);
        assert.equal(entries.body.entries[0].meta.event_id, `stripe:${pay.id}`);
      } finally {
        await h.stop();
      }
    });

    test('a dead-lettered event shows its reason and blocks neither its booking nor the others', async () => {
      const h = await startHarness(dialect);
      try {
        const q = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_dead_q', payment_intent_id: 'pi_dead_q' });
        const r = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_dead_r', payment_intent_id: 'pi_dead_r' });
        const early = completed('bk_dead_q', '2026-09-02T13:00:00Z'); // awaiting payment: a stay cannot complete
        for (const e of [q, early, r]) assert.equal((await h.engine.event(e)).status, 202);
        const payR = paymentSucceeded({ booking_id: 'bk_dead_r', payment_intent_id: 'pi_dead_r', amount: total(r.data), created: Math.floor(Date.parse('2026-09-01T10:05:00Z') / 1000) });
        const payQ = paymentSucceeded({ booking_id: 'bk_dead_q', payment_intent_id: 'pi_dead_q', amount: total(q.data), created: Math.floor(Date.parse('2026-09-01T10:06:00Z') / 1000) });
        for (const p of [payR, payQ]) assert.equal((await postStripeWebhook(h.sidecar.url, p, WEBHOOK_SECRET)).status, 200);
        await h.sidecar.dispatcher.drain();

        const dead = await h.operator.get(`/inbox/booking/${early.id}`);
        assert.equal(dead.body.status, 'dead_lettered', dead.text);
        assert.equal(dead.body.code, 'illegal_transition');
        assert.match(dead.body.reason, /awaiting payment/);
        assert.equal((await h.operator.get(`/inbox/stripe/${payR.id}`)).body.status, 'processed', 'another booking goes on');
        assert.equal((await h.operator.get(`/inbox/stripe/${payQ.id}`)).body.status, 'processed', 'its own booking goes on too');
        assert.equal((await h.reader.get('/bookings/bk_dead_q')).body.state, 'paid');
        // dead letters are final: nothing retries them in a loop, and they wrote nothing
        assert.equal(await h.sidecar.dispatcher.drain(), 0);
        const transitions = await h.sidecar.db('booking_transitions').where({ booking_id: 'bk_dead_q' }).select('to_state');
        assert.deepEqual(transitions.map((t: { to_state: string }) => t.to_state), ['awaiting_payment', 'paid']);
        // the same event, sent again once paid, is a duplicate of the dead letter: a new event id is needed
        const again = await h.engine.event(early);
        assert.equal(again.status, 200);
        assert.equal(again.body.duplicate, true);
        const later = checkedIn('bk_dead_q', '2026-10-10T13:05:00Z');
        assert.equal((await h.engine.event(later)).status, 202);
        await h.sidecar.dispatcher.drain();
        assert.equal((await h.operator.get(`/inbox/booking/${later.id}`)).body.status, 'processed');
      } finally {
        await h.stop();
      }
    });
  });
}
