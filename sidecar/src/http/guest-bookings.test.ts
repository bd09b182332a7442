import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../testing/databases.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { confirmed } from '../testing/events.js';

for (const dialect of dialects()) {
  describe(`GET /guests/:id/bookings on ${dialect}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
      // Five bookings of guest_gb, one of somebody else, confirmed on different days.
      for (let i = 1; i <= 5; i++) {
        const ev = confirmed(`2026-11-0${i}T10:00:00Z`, { booking_id: `bk_gb_${i}`, payment_intent_id: `pi_gb_${i}`, guest_id: 'guest_gb', check_in: '2027-01-10', check_out: '2027-01-12' });
        assert.equal((await h.engine.event(ev)).status, 202);
      }
      await h.engine.event(confirmed('2026-11-03T11:00:00Z', { booking_id: 'bk_gb_other', payment_intent_id: 'pi_gb_other', guest_id: 'guest_other' }));
      await h.settle();
    });
    after(async () => h?.stop());

    test('pages through the guest\'s own bookings, newest first, with totals and no fees', async () => {
      const first = await h.reader.get('/guests/guest_gb/bookings?limit=2');
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.bookings.map((b: { booking_id: string }) => b.booking_id), ['bk_gb_5', 'bk_gb_4']);
      assert.equal(first.body.bookings[0].total_minor, 30000 + 5000 + 4200 + 3000);
      assert.equal(first.body.bookings[0].time_zone, 'Europe/Paris');
      assert.equal(first.body.bookings[0].fees, undefined, 'a list for the guest carries no fees');
      assert.equal(typeof first.body.next_cursor, 'string');
      const second = await h.reader.get(`/guests/guest_gb/bookings?limit=2&cursor=${first.body.next_cursor}`);
      assert.deepEqual(second.body.bookings.map((b: { booking_id: string }) => b.booking_id), ['bk_gb_3', 'bk_gb_2']);
      const third = await h.reader.get(`/guests/guest_gb/bookings?limit=2&cursor=${second.body.next_cursor}`);
      assert.deepEqual(third.body.bookings.map((b: { booking_id: string }) => b.booking_id), ['bk_gb_1']);
      assert.equal(third.body.next_cursor, null);
      const all = await h.reader.get('/guests/guest_gb/bookings');
      assert.equal(all.body.bookings.length, 5, 'default page holds them all');
      assert.ok(!all.text.includes('bk_gb_other'));
      const none = await h.reader.get('/guests/guest_nobody/bookings');
      assert.equal(none.status, 200);
      assert.deepEqual(none.body.bookings, []);
    });

    test('bad input is problem+json validation_failed naming the field', async () => {
      for (const [path, field] of [
        ['/guests/guest_gb/bookings?limit=0', 'limit'],
        ['/guests/guest_gb/bookings?limit=101', 'limit'],
        ['/guests/guest_gb/bookings?limit=abc', 'limit'],
        ['/guests/guest_gb/bookings?cursor=%7B%7D', 'cursor'],
        ['/guests/guest_gb/bookings?cursor=bm90LWEtY3Vyc29y', 'cursor'],
        ['/guests/guest_gb/bookings?sort=desc', 'sort'],
        ['/guests/guest_gb/bookings?limit=1&limit=2', 'limit'],
        ['/guests/%20bad%20/bookings', 'id'],
      ] as const) {
        const r = await h.reader.get(path);
        assert.equal(r.status, 422, `${path}: ${r.text}`);
        assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(r.body.code, 'validation_failed', path);
        assert.equal(r.body.field, field, path);
      }
    });

    test('unsigned requests are refused', async () => {
      const r = await fetch(`${h.sidecar.url}/guests/guest_gb/bookings`);
      assert.equal(r.status, 401);
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    });
  });
}

for (const dialect of dialects().slice(0, 1)) {
  describe(`GET /whoami on ${dialect}`, () => {
    let h: Harness;
    before(async () => { h = await startHarness(dialect); });
    after(async () => h?.stop());
    test('names the verified key, its role and the sidecar\'s clock; unsigned is refused', async () => {
      const r = await h.reader.get('/whoami');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.role, 'reader');
      assert.equal(typeof r.body.key_id, 'string');
      assert.ok(Math.abs(Date.parse(r.body.server_time) - Date.now()) < 60_000);
      assert.equal((await h.engine.get('/whoami')).body.role, 'booking-engine');
      assert.equal((await fetch(`${h.sidecar.url}/whoami`)).status, 401);
    });
  });
}
