import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { ENGINE_KEY, READER_KEY, startHarness, type Harness } from '../testing/harness.js';
import { cancelRequested, checkedIn, completed, confirmed, eventId, hostConnected, tick } from '../testing/events.js';
import { SignedClient, type Reply } from '../client/signed-client.js';
import { signatureHeaderValue } from '../sari/request-signature.js';
import { writtenCounts } from './stripe-fixtures.test-helper.js';
import { publishPolicies } from '../pipeline/publish-policies.js';
import { readPolicyFiles } from '../policy-files.js';
import { policyVersionOf } from '../nora/index.js';

// POST /events/booking through real HTTP with the request signature of docs/signing.md.
const now_s = () => Math.floor(Date.now() / 1000);
const HASH = `sha256:${'a'.repeat(64)}`;

function assertProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body.code, code, r.text);
  assert.equal(r.body.status, status);
}

type AnyEvent = { id: string; type: string; occurred_at: string; data: Record<string, unknown> };
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

for (const dialect of dialects()) {
  describe(`booking-engine events on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.stop());

    /** Runs `send` and proves it wrote nothing anywhere. */
    async function refusedWritingNothing(send: () => Promise<Reply>): Promise<Reply> {
      await h.sidecar.dispatcher.drain();
      const counts = await writtenCounts(h.sidecar.db);
      const r = await send();
      await h.sidecar.dispatcher.drain();
      assert.deepEqual(await writtenCounts(h.sidecar.db), counts, `nothing written (${r.status} ${r.text})`);
      return r;
    }

    test('each event type of the contract is accepted with 202, stored, and visible at /inbox/booking/:id', async () => {
      const events: AnyEvent[] = [
        hostConnected('host_be_1', 'acct_1BookingEvents', '2026-09-01T09:00:00Z'),
        confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_be_1', payment_intent_id: 'pi_be_1' }),
        { id: eventId(), type: 'booking.modified', occurred_at: '2026-09-01T10:05:00Z', data: { booking_id: 'bk_be_1', nightly_total: 31000, check_out: '2026-10-14' } },
        cancelRequested('bk_be_1', 'guest', HASH, '2026-09-02T10:00:00Z'),
        checkedIn('bk_be_1', '2026-10-10T13:00:00Z'),
        completed('bk_be_1', '2026-10-14T09:00:00Z'),
        tick('2026-10-15T00:00:00Z'),
      ];
      // check_in_time is optional (default 15:00)
      delete (events[1]!.data as { check_in_time?: string }).check_in_time;
      assert.deepEqual(events.map((e) => e.type).sort(), ['booking.cancel_requested', 'booking.confirmed', 'booking.modified', 'clock.tick', 'host.connected', 'stay.checked_in', 'stay.completed']);
      for (const e of events) {
        const r = await h.engine.event(e);
        assert.equal(r.status, 202, `${e.type}: ${r.text}`);
        assert.deepEqual(r.body, { received: true, duplicate: false, event_id: e.id, status_url: `/inbox/booking/${e.id}` });
      }
      await h.sidecar.dispatcher.drain();
      for (const e of events) {
        const seen = await h.operator.get(`/inbox/booking/${e.id}`);
        assert.equal(seen.status, 200, seen.text);
        assert.equal(seen.body.type, e.type);
        assert.equal(seen.body.occurred_at, e.occurred_at);
        assert.ok(['processed', 'ignored', 'dead_lettered', 'parked'].includes(seen.body.status), seen.text);
      }
      const stream = await h.operator.get(`/inbox/booking/${events[1]!.id}`);
      assert.equal(stream.body.stream_key, 'bk_be_1');
      assert.equal(stream.body.status, 'processed');
      const view = await h.reader.get('/bookings/bk_be_1');
      assert.equal(view.status, 200, view.text);
    });

    test('a duplicate gets 200 and changes nothing; the same event re-serialised is still a duplicate', async () => {
      const e = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_be_dup', payment_intent_id: 'pi_be_dup' });
      assert.equal((await h.engine.event(e)).status, 202);
      const r = await refusedWritingNothing(() => h.engine.event(e));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.duplicate, true);
      // A resend after a crash may serialise the same content differently (key order, spacing).
      const reordered = JSON.stringify({ data: Object.fromEntries(Object.entries(e.data).reverse()), occurred_at: e.occurred_at, type: e.type, id: e.id }, null, 2);
      const r2 = await refusedWritingNothing(() => h.engine.post('/events/booking', reordered));
      assert.equal(r2.status, 200, r2.text);
      assert.equal(r2.body.duplicate, true);
    });

    test('the same id with a different body is 409 idempotency_conflict and writes nothing', async () => {
      const e = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_be_conflict', payment_intent_id: 'pi_be_conflict' });
      assert.equal((await h.engine.event(e)).status, 202);
      const changed = clone(e);
      changed.data.nightly_total += 1;
      const r = await refusedWritingNothing(() => h.engine.event(changed));
      assertProblem(r, 409, 'idempotency_conflict');
      assert.match(r.body.detail, new RegExp(e.id));
    });

    describe('a bad field is 422 validation_failed naming it in errors[].field, and nothing is written', () => {
      const base = () => confirmed('2026-09-01T10:00:00Z', { booking_id: `bk_be_v_${Math.random().toString(36).slice(2, 8)}`, payment_intent_id: 'pi_be_v' }) as AnyEvent;
      const cases: Array<[string, string, () => AnyEvent]> = [
        ['check_in not a date', 'data.check_in', () => { const e = base(); e.data.check_in = '2026-13-01'; return e; }],
        ['check_in as a timestamp', 'data.check_in', () => { const e = base(); e.data.check_in = '2026-10-10T00:00:00Z'; return e; }],
        ['check_out not after check_in', 'data.check_out', () => { const e = base(); e.data.check_out = e.data.check_in; return e; }],
        ['check_in_time not HH:MM', 'data.check_in_time', () => { const e = base(); e.data.check_in_time = '3pm'; return e; }],
        ['time_zone not IANA', 'data.time_zone', () => { const e = base(); e.data.time_zone = 'Mars/Olympus'; return e; }],
        ['currency lower case', 'data.currency', () => { const e = base(); e.data.currency = 'usd'; return e; }],
        ['negative taxes', 'data.taxes', () => { const e = base(); e.data.taxes = -1; return e; }],
        ['fractional nightly_total', 'data.nightly_total', () => { const e = base(); e.data.nightly_total = 300.5; return e; }],
        ['amount as a string', 'data.cleaning_fee', () => { const e = base(); e.data.cleaning_fee = '5000'; return e; }],
        ['missing payment_intent_id', 'data.payment_intent_id', () => { const e = base(); delete e.data.payment_intent_id; return e; }],
        ['payment_intent_id not pi_', 'data.payment_intent_id', () => { const e = base(); e.data.payment_intent_id = 'ch_123'; return e; }],
        ['an unknown field', 'data', () => { const e = base(); e.data.discount_code = 'X'; return e; }],
        ['occurred_at not UTC', 'occurred_at', () => { const e = base(); e.occurred_at = '2026-09-01T12:00:00+02:00'; return e; }],
        ['unknown type', 'type', () => { const e = base(); e.type = 'booking.exploded'; return e; }],
        ['id with spaces', 'id', () => { const e = base(); e.id = 'bev 1'; return e; }],
        ['cancel by an admin', 'data.by', () => { const e = cancelRequested('bk_x', 'guest', HASH, '2026-09-02T10:00:00Z') as AnyEvent; e.data.by = 'admin'; return e; }],
        ['consent hash malformed', 'data.consent.outcome_hash', () => cancelRequested('bk_x', 'guest', 'sha256:nothex', '2026-09-02T10:00:00Z') as AnyEvent],
        ['consent missing', 'data.consent', () => { const e = cancelRequested('bk_x', 'guest', HASH, '2026-09-02T10:00:00Z') as AnyEvent; delete e.data.consent; return e; }],
        ['host account not acct_', 'data.stripe_account_id', () => hostConnected('host_x', 'ba_123', '2026-09-01T09:00:00Z') as AnyEvent],
        ['stay without booking_id', 'data.booking_id', () => ({ id: eventId(), type: 'stay.checked_in', occurred_at: '2026-10-10T13:00:00Z', data: {} })],
        ['modification with dates out of order', 'data.check_out', () => ({ id: eventId(), type: 'booking.modified', occurred_at: '2026-10-10T13:00:00Z', data: { booking_id: 'bk_x', check_in: '2026-10-12', check_out: '2026-10-11' } })],
        ['modification changing nothing', 'data.booking_id', () => ({ id: eventId(), type: 'booking.modified', occurred_at: '2026-10-10T13:00:00Z', data: { booking_id: 'bk_x' } })],
        ['tick with data', 'data', () => ({ ...tick('2026-10-10T13:00:00Z'), data: { at: 'now' } })],
      ];
      for (const [name, field, make] of cases) {
        test(`${name} → ${field}`, async () => {
          const r = await refusedWritingNothing(() => h.engine.event(make()));
          assertProblem(r, 422, 'validation_failed');
          assert.ok(Array.isArray(r.body.errors) && r.body.errors.length > 0, r.text);
          const fields = r.body.errors.map((e: { field: string }) => e.field);
          assert.ok(fields.includes(field), `errors name ${field}: ${JSON.stringify(r.body.errors)}`);
          for (const e of r.body.errors) assert.equal(typeof e.message, 'string');
          assert.match(r.body.detail, new RegExp(`^${fields[0].replace(/\./g, '\\.')}: `));
        });
      }
      test('a non-object body and a JSON syntax error are refused too', async () => {
        assertProblem(await refusedWritingNothing(() => h.engine.post('/events/booking', '[1,2]')), 422, 'validation_failed');
        assertProblem(await refusedWritingNothing(() => h.engine.post('/events/booking', '{"id":"bev_1",')), 400, 'invalid_json');
        assertProblem(await refusedWritingNothing(() => h.engine.post('/events/booking', '')), 400, 'invalid_json');
      });
    });

    test('an unknown cancellation policy is 422 unknown_policy and writes nothing', async () => {
      const e = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_be_pol', payment_intent_id: 'pi_be_pol', cancellation_policy: 'no_such_policy' });
      const r = await refusedWritingNothing(() => h.engine.event(e));
      assertProblem(r, 422, 'unknown_policy');
      assert.equal(r.body.field, 'data.cancellation_policy');
    });

    test('a policy unknown at first is accepted once published while the sidecar runs (only known names are remembered)', async () => {
      const first = confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_be_late_pol', payment_intent_id: 'pi_be_late_pol', cancellation_policy: 'late_flexible' });
      assertProblem(await refusedWritingNothing(() => h.engine.event(first)), 422, 'unknown_policy');
      const flexible = readPolicyFiles().find((f) => (f.json as { kind?: string; id?: string }).kind === 'cancellation' && (f.json as { id?: string }).id === 'flexible')!;
      await publishPolicies(h.sidecar.db, [policyVersionOf({ ...(flexible.json as object), id: 'late_flexible' })], Date.parse('2026-08-01T00:00:00Z'));
      await h.settle();
      const again = await h.engine.event({ ...first, id: eventId() });
      assert.equal(again.status, 202, JSON.stringify(again.body));
      const known = await h.engine.event({ ...confirmed('2026-09-01T10:00:00Z', { booking_id: 'bk_be_late_pol2', payment_intent_id: 'pi_be_late_pol2', cancellation_policy: 'late_flexible' }), id: eventId() });
      assert.equal(known.status, 202, 'a known name stays known');
    });

    test('a reader key cannot submit events: 403 forbidden_role', async () => {
      const r = await refusedWritingNothing(() => h.reader.event(tick('2026-09-01T00:00:00Z')));
      assertProblem(r, 403, 'forbidden_role');
    });

    test('a non-JSON content type is 415', async () => {
      const e = tick('2026-09-01T00:00:00Z');
      const r = await refusedWritingNothing(() => h.engine.post('/events/booking', e, { 'content-type': 'text/plain' }));
      assertProblem(r, 415, 'unsupported_media_type');
    });

    describe('signature refusals are 401 and write nothing', () => {
      const body = () => JSON.stringify(tick('2026-09-01T00:00:00Z'));
      const send = (b: string, sig: string | null) => new SignedClient(h.sidecar.url, ENGINE_KEY).send('POST', '/events/booking', b, { 'content-type': 'application/json', ...(sig ? { 'MyBnB-Signature': sig } : {}) });
      const sign = (b: string, over: Partial<{ keyId: string; secret: string; t: number; path: string }> = {}) =>
        signatureHeaderValue({ keyId: over.keyId ?? ENGINE_KEY.keyId, secret: over.secret ?? ENGINE_KEY.secret, t: over.t ?? now_s(), method: 'POST', pathWithQuery: over.path ?? '/events/booking', body: b });
      const cases: Array<[string, string, () => Promise<Reply>]> = [
        ['unsigned', 'signature_invalid', () => send(body(), null)],
        ['malformed header', 'signature_invalid', () => send(body(), 'v1=abc')],
        ['unknown key id', 'signature_invalid', () => { const b = body(); return send(b, sign(b, { keyId: 'nobody' })); }],
        ['wrong secret', 'signature_invalid', () => { const b = body(); return send(b, sign(b, { secret: READER_KEY.secret })); }],
        ['expired (301 s old)', 'signature_invalid', () => { const b = body(); return send(b, sign(b, { t: now_s() - 301 })); }],
        ['from the future (301 s ahead)', 'signature_invalid', () => { const b = body(); return send(b, sign(b, { t: now_s() + 301 })); }],
        ['signed for another path', 'signature_invalid', () => { const b = body(); return send(b, sign(b, { path: '/events/booking?x=1' })); }],
        ['body changed after signing', 'signature_invalid', () => { const b = body(); return send(b.replace('2026-09-01', '2026-09-02'), sign(b)); }],
      ];
      for (const [name, code, go] of cases) {
        test(`${name} → ${code}`, async () => {
          assertProblem(await refusedWritingNothing(go), 401, code);
        });
      }
      test('every authentication failure answers the same bytes: an unknown key id is indistinguishable from a wrong signature', async () => {
        const answers = new Set<string>();
        for (const [, , go] of cases) {
          const r = await go();
          answers.add(`${r.status} ${r.headers.get('content-type')} ${r.text}`);
        }
        assert.equal(answers.size, 1, [...answers].join('\n'));
      });
      test('the expired/future checks use the sender clock a client passes (SignedClient.now_s)', async () => {
        const stale = new SignedClient(h.sidecar.url, ENGINE_KEY, () => now_s() - 600);
        assertProblem(await refusedWritingNothing(() => stale.event(tick('2026-09-01T00:00:00Z'))), 401, 'signature_invalid');
        const ahead = new SignedClient(h.sidecar.url, ENGINE_KEY, () => now_s() + 600);
        assertProblem(await refusedWritingNothing(() => ahead.event(tick('2026-09-01T00:00:00Z'))), 401, 'signature_invalid');
        const slightlyOff = new SignedClient(h.sidecar.url, ENGINE_KEY, () => now_s() - 200);
        assert.equal((await slightlyOff.event(tick('2026-09-01T00:00:01Z'))).status, 202, 'within the 300 s tolerance');
      });
    });
  });
}
