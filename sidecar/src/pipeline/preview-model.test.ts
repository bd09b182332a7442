import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DomainError, formatIsoUtc, parseIsoUtc } from '../kernel/index.js';
import { openDb, type Db } from '../db/connect.js';
import { dialects } from '../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { checkedIn, completed, confirmed, eventId, hostConnected, tick, total } from '../testing/events.js';
import { postStripeWebhook } from '../client/signed-client.js';
import { paymentSucceeded } from '../http/stripe-fixtures.test-helper.js';
import { bookingConstraints, previewCancellation } from './preview.js';
import { parseModifyPreviewQuery, previewModification } from './preview-modify.js';
import { PositionFence, PreviewModel } from './preview-model.js';

/**
 * Previews from memory (issue #11 item 3) answer exactly as the loading path: same body, same
 * hashes, same valid_until, same errors — for many bookings, both actors and many moments, and
 * after every kind of change the dispatcher applies. Two models are checked: the sidecar's own
 * (dispatch in its process) and one on a second connection pool, as another replica or a process
 * beside `mybnb worker` would hold it: nothing tells it about a batch but the database.
 */
const POLICIES = ['flexible', 'moderate', 'limited', 'firm', 'strict', 'non_refundable'] as const;
const ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'UTC', 'Australia/Sydney'] as const;
const N = 18;

type Booking = { booking_id: string; check_in: string; data: ReturnType<typeof confirmed>['data'] };

function bookingsOf(tag: string): Booking[] {
  return Array.from({ length: N }, (_, i) => {
    const booking_id = `bk_${tag}_${i}`;
    const day = 5 + (i * 7) % 50;
    const check_in = formatIsoUtc(parseIsoUtc('2026-10-01T00:00:00Z') + day * 86_400_000).slice(0, 10);
    const check_out = formatIsoUtc(parseIsoUtc(`${check_in}T00:00:00Z`) + (1 + (i % 5)) * 86_400_000).slice(0, 10);
    const c = confirmed('2026-09-01T10:00:00Z', {
      booking_id, payment_intent_id: `pi_${tag}_${i}`, host_id: `host_${tag}`, guest_id: `guest_${tag}_${i % 4}`,
      cancellation_policy: POLICIES[i % POLICIES.length]!, time_zone: ZONES[i % ZONES.length]!, check_in, check_out,
      nightly_total: 10_000 + 1_337 * i, cleaning_fee: (i % 3) * 2_500, taxes: 700 * (i % 4), guest_service_fee: 1_000 + 11 * i,
    });
    return { booking_id, check_in, data: c.data };
  });
}

/** What a preview answers, or the stable code it refuses with. */
async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DomainError) return { refused: e.code, message: e.message };
    throw e;
  }
}

for (const dialect of dialects()) {
  describe(`preview read model on ${dialect}: the same answers as loading`, () => {
    let h: Harness;
    let other: Db;
    let remote: PreviewModel;
    const tag = `pm${Math.random().toString(36).slice(2, 7)}`;
    const bookings = bookingsOf(tag);
    const ids = [...bookings.map((b) => b.booking_id), `bk_${tag}_unknown`];

    /**
     * Deliveries are idempotent by event id: one that failed in transit (a keep-alive socket the
     * server closed while this test computed for seconds on a loaded machine) is sent again.
     */
    const again = async <T>(send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        return send();
      }
    };
    const stripe = (body: Record<string, unknown>) => again(() => postStripeWebhook(h.sidecar.url, body, WEBHOOK_SECRET));
    const pay = async (b: Booking) => {
      const r = await stripe(paymentSucceeded({ booking_id: b.booking_id, payment_intent_id: b.data.payment_intent_id, amount: total(b.data), created: Math.floor(parseIsoUtc('2026-09-01T10:05:00Z') / 1000) }) as never);
      assert.equal(r.status, 200, r.text);
    };
    const engine = async (body: Record<string, unknown>) => {
      const r = await again(() => h.engine.event(body as never));
      assert.ok(r.status === 202 || (r.status === 200 && r.body.duplicate === true), r.text);
    };

    /** Every model's answer equals the loading path's, at this moment, for this booking and actor. */
    const same = async (booking_id: string, by: 'guest' | 'host', at: string) => {
      const loaded = await outcome(() => previewCancellation(h.sidecar.db, booking_id, by, at));
      for (const [name, model] of [['in-process', h.sidecar.previews], ['other process', remote]] as const) {
        const kept = await outcome(() => previewCancellation(h.sidecar.db, booking_id, by, at, model));
        assert.deepEqual(kept, loaded, `${name} model, ${booking_id} by ${by} at ${at}`);
        assert.deepEqual(await outcome(() => bookingConstraints(h.sidecar.db, booking_id, at, model)), await outcome(() => bookingConstraints(h.sidecar.db, booking_id, at)), `${name} model, constraints of ${booking_id} at ${at}`);
        // action=modify (#12): a cheaper and a dearer stay, the same through both paths.
        for (const nightly_total of ['5000', '99000']) {
          const q = parseModifyPreviewQuery({ action: 'modify', booking_id, by, nightly_total });
          assert.deepEqual(await outcome(() => previewModification(h.sidecar.db, q, at, model)), await outcome(() => previewModification(h.sidecar.db, q, at)), `${name} model, modify ${booking_id} to ${nightly_total} at ${at}`);
        }
      }
      return loaded;
    };

    const moment = fc.record({ i: fc.nat({ max: ids.length - 1 }), by: fc.constantFrom('guest' as const, 'host' as const), offset_min: fc.integer({ min: -60 * 24 * 60, max: 20 * 24 * 60 }) });
    const atOf = (i: number, offset_min: number) => formatIsoUtc(parseIsoUtc(`${(bookings[i] ?? bookings[0]!).check_in}T15:00:00Z`) + offset_min * 60_000);
    const sameEverywhere = (runs: number) => fc.assert(fc.asyncProperty(moment, async ({ i, by, offset_min }) => {
      await same(ids[i]!, by, atOf(i, offset_min));
    }), { numRuns: runs });

    before(async () => {
      h = await startHarness(dialect);
      other = openDb(h.t.target);
      remote = new PreviewModel(other);
      await engine(hostConnected(`host_${tag}`, `acct_1${tag}Host`, '2026-09-01T09:00:00Z'));
      for (const b of bookings) await engine({ id: eventId(), type: 'booking.confirmed', occurred_at: '2026-09-01T10:00:00Z', data: b.data });
      for (const b of bookings.filter((_, i) => i % 3 !== 2)) await pay(b);
      await h.sidecar.dispatcher.drain();
    });
    after(async () => {
      await other?.destroy();
      await h?.stop();
    });

    test('over many bookings, both actors and moments from 60 days before check-in to 20 after', async () => {
      await sameEverywhere(250);
      assert.ok(h.sidecar.previews.stats.hits > 0 && remote.stats.hits > 0, 'the models answered from memory');
      assert.ok(h.sidecar.previews.size <= N && remote.size <= N, 'an unknown booking is never kept');
    });

    test('after each change the dispatcher applies, both models answer as loading does (they notice the database moved on)', async () => {
      const steps: Array<[string, () => Promise<void>]> = [
        ['a late payment', () => pay(bookings[2]!)],
        ['a change of the booking before payment', () => engine({ id: eventId(), type: 'booking.modified', occurred_at: '2026-09-02T10:00:00Z', data: { booking_id: bookings[5]!.booking_id, nightly_total: 22_222 } })],
        ['a guest cancellation with consent', async () => {
          const at = '2026-09-03T08:00:00Z';
          const p = (await previewCancellation(h.sidecar.db, bookings[1]!.booking_id, 'guest', at)) as { outcome_hash: string };
          await engine({ id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: bookings[1]!.booking_id, by: 'guest', consent: { outcome_hash: p.outcome_hash, actor: 'guest_x', consented_at: at } } });
        }],
        ['a host cancellation with consent', async () => {
          const at = '2026-09-04T08:00:00Z';
          const p = (await previewCancellation(h.sidecar.db, bookings[4]!.booking_id, 'host', at)) as { outcome_hash: string };
          await engine({ id: eventId(), type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: bookings[4]!.booking_id, by: 'host', consent: { outcome_hash: p.outcome_hash, actor: `host_${tag}`, consented_at: at } } });
        }],
        ['a check-in and a completed stay', async () => {
          await engine(checkedIn(bookings[0]!.booking_id, `${bookings[0]!.check_in}T15:05:00Z`));
          await engine(completed(bookings[0]!.booking_id, `${bookings[0]!.data.check_out}T11:00:00Z`));
        }],
        ['a clock tick releasing payouts', () => engine(tick('2026-11-01T00:00:00Z'))],
      ];
      for (const [what, step] of steps) {
        // Warm both models over every booking first, so a stale kept view would show.
        for (const id of ids) for (const by of ['guest', 'host'] as const) await same(id, by, '2026-09-10T00:00:00Z');
        const before = { local: h.sidecar.previews.stats.dropped, remote: remote.stats.dropped };
        await step();
        await h.sidecar.dispatcher.drain();
        for (const id of ids) for (const by of ['guest', 'host'] as const) await same(id, by, '2026-09-10T00:00:00Z');
        await sameEverywhere(40);
        assert.ok(h.sidecar.previews.stats.dropped > before.local, `${what}: the in-process model dropped the changed booking`);
        assert.ok(remote.stats.dropped > before.remote, `${what}: the other process's model dropped the changed booking`);
      }
    });

    test('GET /preview/outcome answers from the model with the body the loading path gives', async () => {
      for (const [i, by] of [[0, 'guest'], [3, 'host'], [7, 'guest']] as const) {
        const at = atOf(i, -3 * 24 * 60);
        const loaded = await previewCancellation(h.sidecar.db, ids[i]!, by, at);
        const hits = h.sidecar.previews.stats.hits;
        // A GET is safe to send again: after the property tests above compute for a while, the
        // reader's kept connection may be closed under the first request (see `again`).
        await again(() => h.reader.get(`/preview/outcome?action=cancel&booking_id=${ids[i]}&by=${by}&at=${encodeURIComponent(at)}`));
        const r = await again(() => h.reader.get(`/preview/outcome?action=cancel&booking_id=${ids[i]}&by=${by}&at=${encodeURIComponent(at)}`));
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body, JSON.parse(JSON.stringify(loaded)));
        assert.ok(h.sidecar.previews.stats.hits > hits, 'served from memory');
      }
    });

    test('a warm preview reads the log position and nothing about the booking', async () => {
      const path = `/preview/outcome?action=cancel&booking_id=${ids[2]}&by=guest&at=2026-09-20T10:00:00Z`;
      assert.equal((await h.reader.get(path)).status, 200);
      const seen: string[] = [];
      const watch = (q: { sql: string }) => seen.push(q.sql);
      h.sidecar.db.on('query', watch);
      try {
        assert.equal((await h.reader.get(path)).status, 200);
      } finally {
        h.sidecar.db.off('query', watch);
      }
      // (The dispatcher's own polling may run meanwhile: only what a preview reads is looked at.)
      assert.deepEqual(seen.filter((q) => /bookings|booking_|journal_|outbox_intents|policy_versions/.test(q)), [], seen.join('\n'));
      assert.equal(seen.filter((q) => /read_model_changes/.test(q)).length, 1, seen.join('\n'));
    });

    test('the model is bounded: at most maxBookings kept, least recently used out, answers unchanged', async () => {
      const small = new PreviewModel(other, { maxBookings: 4 });
      for (const id of ids) {
        const at = '2026-09-12T00:00:00Z';
        assert.deepEqual(await outcome(() => previewCancellation(h.sidecar.db, id, 'guest', at, small)), await outcome(() => previewCancellation(h.sidecar.db, id, 'guest', at)));
        assert.ok(small.size <= 4, `size ${small.size}`);
      }
      assert.equal(small.size, 4);
    });

    test('with fromMemory off every preview loads (the benchmark baseline) and answers the same', async () => {
      const model = new PreviewModel(other);
      model.fromMemory = false;
      await same(ids[3]!, 'guest', '2026-09-12T00:00:00Z');
      assert.deepEqual(await previewCancellation(h.sidecar.db, ids[3]!, 'guest', '2026-09-12T00:00:00Z', model), await previewCancellation(h.sidecar.db, ids[3]!, 'guest', '2026-09-12T00:00:00Z'));
      assert.equal(model.size, 0);
    });
  });
}

describe('PositionFence: one read for many requests, never one that started before a request', () => {
  test('requests during a read wait for the next read, and share it', async () => {
    const pending: Array<(n: number) => void> = [];
    const fence = new PositionFence(() => new Promise<number>((r) => pending.push(r)));
    const a = fence.position();
    const b = fence.position();
    const c = fence.position();
    assert.equal(pending.length, 1, 'one read in flight');
    pending[0]!(5);
    assert.equal(await a, 5);
    await new Promise((r) => setImmediate(r));
    assert.equal(pending.length, 2, 'b and c started one more read after the first ended');
    pending[1]!(7);
    assert.equal(await b, 7, 'b arrived while the first read was in flight: it sees the next one');
    assert.equal(await c, 7);
    assert.equal(fence.reads, 2);
  });

  test('a failed read fails its requests and the next request reads again', async () => {
    let n = 0;
    const fence = new PositionFence(async () => {
      n++;
      if (n === 1) throw new Error('down');
      return 9;
    });
    await assert.rejects(fence.position(), /down/);
    assert.equal(await fence.position(), 9);
  });
});
