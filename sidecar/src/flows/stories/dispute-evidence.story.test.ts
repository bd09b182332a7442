/**
 * Issue #12, part 4: a dispute over a consented cancellation is answered with the evidence we hold
 * — submitted once through the outbox (POST /v1/disputes/:id), before evidence_details.due_by,
 * citing the rule id, version and hash and the guest's consent hash.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../../testing/databases.js';
import { verifyDecisions } from '../../pipeline/verify-decisions.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { confirmed, eventId, hostConnected, total } from '../../testing/events.js';
import { SignedClient } from '../../client/signed-client.js';

for (const dialect of dialects()) {
  describe(`dispute evidence on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, { stripe: true });
      await h.engine.event(hostConnected('host_1', 'acct_1DisputeHost', '2026-09-01T09:00:00Z'));
    });
    after(async () => h?.stop());

    test('a dispute over a consented cancellation: evidence submitted once, before due_by, with the rule hash and the consent hash', async () => {
      const ev = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_dp_1', payment_intent_id: 'pi_placeholder', cancellation_policy: 'strict' });
      const pi = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id: 'bk_dp_1' } });
      ev.data.payment_intent_id = pi.id;
      assert.equal((await h.engine.event(ev)).status, 202);
      await h.settle();
      const at = '2026-09-25T10:00:00Z';
      const p = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_dp_1&by=guest&at=${encodeURIComponent(at)}`);
      assert.equal(p.status, 200, p.text);
      const cancel = { id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: 'bk_dp_1', by: 'guest', consent: { outcome_hash: p.body.outcome_hash, actor: 'guest_1', consented_at: at } } };
      assert.equal((await h.engine.event(cancel)).status, 202);
      await h.settle();
      const cancelDecision = await h.sidecar.db('decisions').where({ booking_id: 'bk_dp_1', action: 'cancel_by_guest' }).first();
      assert.ok(cancelDecision.consent_hash);

      // the guest disputes the charge anyway
      const refunded = [...h.fake!.state.refunds.values()].filter((r) => r.metadata?.booking_id === 'bk_dp_1').reduce((s, r) => s + r.amount, 0);
      const dp = h.fake!.disputes.open(pi.latest_charge as string, { reason: 'credit_not_processed', amount: total(ev.data) - refunded });
      await h.settle();
      await h.settle();

      const fakeDispute = h.fake!.disputes.all.get(dp.id)!;
      assert.equal(fakeDispute.evidence_details.submission_count, 1, 'submitted once');
      assert.equal(fakeDispute.updates.length, 1);
      assert.equal(fakeDispute.updates[0]!.submit, true);
      assert.equal(fakeDispute.status, 'under_review');
      const sent = fakeDispute.updates[0]!.evidence;
      const rebuttal = sent.cancellation_rebuttal!;
      assert.ok(rebuttal.includes(cancelDecision.policy_hash), 'the rule hash');
      assert.ok(rebuttal.includes(`${cancelDecision.policy} version ${cancelDecision.policy_version}`), 'the rule id and version');
      assert.ok(rebuttal.includes(cancelDecision.consent_hash), 'the consent hash');
      assert.ok(sent.cancellation_policy_disclosure && sent.service_date && sent.uncategorized_text && sent.refund_policy_disclosure);
      assert.match(sent.service_date!, /2026-10-10 to 2026-10-13/);
      const posts = h.fake!.state.requests.filter((q) => q.method === 'POST' && q.path === `/v1/disputes/${dp.id}`);
      assert.equal(posts.length, 1);
      // the fake refuses a submission after due_by (dispute_past_due): it was accepted, so it was before

      // later events of the same dispute (updated, a redelivery) submit nothing more
      const view = await h.auditor.get('/bookings/bk_dp_1/dispute-evidence');
      assert.equal(view.status, 200, view.text);
      const d = view.body.disputes[0];
      assert.equal(d.dispute_id, dp.id);
      assert.equal(d.contest, true);
      assert.equal(d.submitted.status, 'succeeded');
      assert.match(d.submitted.attempts[0].request_id, /^req_/);
      // the three documents went as files (purpose dispute_evidence), uploaded once each, named by id
      const { cancellation_policy: cpFile, customer_communication: ccFile, refund_policy: rpFile, ...texts } = sent;
      assert.deepEqual(d.submission, texts, 'the view shows exactly the text fields submitted');
      for (const [field, id] of [['cancellation_policy', cpFile], ['customer_communication', ccFile], ['refund_policy', rpFile]] as const) {
        const file = h.fake!.files.all.get(String(id));
        assert.ok(file, `${field}: a file id (${String(id)})`);
        assert.equal(file.purpose, 'dispute_evidence');
        assert.equal(file.data, d.documents[field], `${field}: the uploaded document is the one the view shows`);
      }
      assert.ok(h.fake!.files.all.get(String(cpFile))!.data.includes(cancelDecision.policy_hash), 'the policy document names the rule hash');
      assert.ok(h.fake!.files.all.get(String(ccFile))!.data.includes(cancelDecision.consent_hash), 'the consent record names the consent hash');
      assert.equal(h.fake!.state.requests.filter((q) => q.method === 'POST' && q.path === '/v1/files' && q.status === 200 && !q.replayed).length, 3, 'each document uploaded once');
      assert.ok(d.evidence.cancellation_policy.includes(cancelDecision.policy_hash));
      assert.ok(d.evidence.customer_communication.includes(cancelDecision.consent_hash));
      assert.equal(d.rule.policy, 'dispute_evidence/standard');
      assert.ok(Date.parse(d.submit_by) <= fakeDispute.evidence_details.due_by * 1000 - 24 * 3_600_000, 'decided to submit at least 24 h before due_by');

      // a second dispute whose evidence is due within the policy's margin: too late to contest, nothing sent
      const late = h.fake!.disputes.open(pi.latest_charge as string, { reason: 'fraudulent', amount: 100, due_in_s: 3600 });
      await h.settle();
      assert.equal(h.fake!.disputes.all.get(late.id)!.updates.length, 0);
      const lateView = (await h.auditor.get('/bookings/bk_dp_1/dispute-evidence')).body.disputes.find((x: { dispute_id: string }) => x.dispute_id === late.id);
      assert.deepEqual([lateView.contest, lateView.reason, lateView.submitted], [false, 'too_late', null]);

      h.fake!.disputes.close(dp.id, 'won');
      await h.settle();
      assert.equal(h.fake!.disputes.all.get(dp.id)!.evidence_details.submission_count, 1);
      assert.equal((await h.sidecar.db('outbox_intents').where({ booking_id: 'bk_dp_1', operation: 'dispute_evidence' })).length, 1);
      assert.deepEqual((await verifyDecisions(h.sidecar.db)).problems, [], 'every decision re-derives from its recorded input');
    });

    test('the read is signed and names unknown bookings with a stable code', async () => {
      const missing = await h.auditor.get('/bookings/bk_nope/dispute-evidence');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'not_found');
      assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
      const unsigned = await fetch(`${h.sidecar.url}/bookings/bk_dp_1/dispute-evidence`);
      assert.equal(unsigned.status, 401);
      const wrong = await new SignedClient(h.sidecar.url, { keyId: 'rd-test', secret: 'not-the-secret-000000000' }).get('/bookings/bk_dp_1/dispute-evidence');
      assert.equal(wrong.status, 401);
    });
  });
}
