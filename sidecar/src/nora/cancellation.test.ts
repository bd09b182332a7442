import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, formatIsoUtc, parseIsoUtc, SECOND_MS } from '../kernel/index.js';
import { checkInMoment, decideCancellation, type BookingFacts, type Decision } from './index.js';
import { cancellationPolicies } from '../policy-files.js';

/*
 * Base booking: 3 nights in New York, check-in 2026-10-20 15:00 EDT = 19:00Z, confirmed long before.
 * Nightly total 30001 splits 10001 + 10000 + 10000 (the remainder goes to the first night).
 */
const BASE: BookingFacts = {
  booking_id: 'bk_1', currency: 'USD',
  nightly_total: 30001, cleaning_fee: 5000, guest_service_fee: 4000, taxes: 3001,
  check_in: '2026-10-20', check_out: '2026-10-23', check_in_time: '15:00', time_zone: 'America/New_York',
  confirmed_at: '2026-08-01T12:00:00Z', status: 'active', paid_minor: 42002, host_paid_out_minor: 0,
};
const CHECK_IN = '2026-10-20T19:00:00Z';

function shift(iso: string, seconds: number): string {
  return formatIsoUtc(parseIsoUtc(iso) + seconds * SECOND_MS);
}
const DAY = 86_400;

function decide(policy: string, at: string, facts: Partial<BookingFacts> = {}, by: 'guest' | 'host' = 'guest'): Decision {
  return decideCancellation({ policies: cancellationPolicies(policy), facts: { ...BASE, ...facts }, by, at });
}

/** [nightly_refund, cleaning_refund, service_fee_refund, taxes_refund] */
type Lines = [number, number, number, number];
const FULL: Lines = [30001, 5000, 4000, 3001];
const HALF_BEFORE: Lines = [15001, 5000, 0, 1501]; // ceil(30001/2); ceil(3001*15001/30001)
const NONE_BEFORE: Lines = [0, 5000, 0, 0];
const NONE_AFTER: Lines = [0, 0, 0, 0];

function linesOf(d: Decision): Lines {
  const l = d.outcome.lines;
  return [l.nightly_refund, l.cleaning_refund, l.service_fee_refund, l.taxes_refund];
}

function assertBalanced(d: Decision, paid: number): void {
  const o = d.outcome;
  assert.equal(o.refund_to_guest + o.host_payout + o.platform_fee_kept + o.taxes_kept, paid, 'parts sum to what was paid');
  assert.equal(o.refund_to_guest, o.lines.nightly_refund + o.lines.cleaning_refund + o.lines.service_fee_refund + o.lines.taxes_refund);
}

type Edge = { name: string; edge: string; before: Lines; at: Lines; after: Lines; facts?: Partial<BookingFacts> };

/** Exactly at the edge the earlier state applies; one second before too; one second after, the later one. */
function edgeTable(policy: string, edges: Edge[]): void {
  describe(`${policy}: window edges`, () => {
    for (const e of edges) {
      test(`${e.name} (${e.edge})`, () => {
        const facts = { ...BASE, ...e.facts };
        for (const [label, offset, expected] of [['1 s before', -1, e.before], ['exactly at', 0, e.at], ['1 s after', 1, e.after]] as const) {
          const d = decide(policy, shift(e.edge, offset), e.facts);
          assert.equal(d.allowed, true, label);
          assert.deepEqual(linesOf(d), expected, `${label} the edge`);
          assertBalanced(d, facts.paid_minor);
        }
      });
    }
  });
}

edgeTable('flexible', [
  { name: '24 h before check-in', edge: shift(CHECK_IN, -DAY), before: FULL, at: FULL, after: [20000, 5000, 0, 2001] },
  { name: 'check-in moment: cleaning fee and night 1 stayed', edge: CHECK_IN, before: [20000, 5000, 0, 2001], at: [20000, 5000, 0, 2001], after: [10000, 0, 0, 1001] },
  { name: 'night 2 starts', edge: '2026-10-21T19:00:00Z', before: [10000, 0, 0, 1001], at: [10000, 0, 0, 1001], after: NONE_AFTER },
]);

edgeTable('moderate', [
  { name: '5 days before check-in', edge: shift(CHECK_IN, -5 * DAY), before: FULL, at: FULL, after: [10000, 5000, 0, 1001] },
  { name: 'check-in moment', edge: CHECK_IN, before: [10000, 5000, 0, 1001], at: [10000, 5000, 0, 1001], after: [5000, 0, 0, 501] },
  { name: 'night 2 starts', edge: '2026-10-21T19:00:00Z', before: [5000, 0, 0, 501], at: [5000, 0, 0, 501], after: NONE_AFTER },
]);

edgeTable('limited', [
  { name: '14 days before check-in', edge: shift(CHECK_IN, -14 * DAY), before: FULL, at: FULL, after: HALF_BEFORE },
  { name: '7 days before check-in', edge: shift(CHECK_IN, -7 * DAY), before: HALF_BEFORE, at: HALF_BEFORE, after: NONE_BEFORE },
  { name: 'check-in moment', edge: CHECK_IN, before: NONE_BEFORE, at: NONE_BEFORE, after: NONE_AFTER },
]);

edgeTable('firm', [
  { name: '30 days before check-in', edge: shift(CHECK_IN, -30 * DAY), before: FULL, at: FULL, after: HALF_BEFORE },
  { name: '7 days before check-in', edge: shift(CHECK_IN, -7 * DAY), before: HALF_BEFORE, at: HALF_BEFORE, after: NONE_BEFORE },
  { name: 'check-in moment', edge: CHECK_IN, before: NONE_BEFORE, at: NONE_BEFORE, after: NONE_AFTER },
]);

edgeTable('strict', [
  { name: 'booked long ago: 7 days before check-in', edge: shift(CHECK_IN, -7 * DAY), before: HALF_BEFORE, at: HALF_BEFORE, after: NONE_BEFORE },
  { name: 'booked long ago: 14 days before check-in is no edge (48 h passed)', edge: shift(CHECK_IN, -14 * DAY), before: HALF_BEFORE, at: HALF_BEFORE, after: HALF_BEFORE },
  { name: 'booked 20 days ahead: 48 h after booking ends the full refund', edge: shift(CHECK_IN, -18 * DAY), facts: { confirmed_at: shift(CHECK_IN, -20 * DAY) }, before: FULL, at: FULL, after: HALF_BEFORE },
  { name: 'booked 15 days ahead: 14 days before check-in ends it (within 48 h)', edge: shift(CHECK_IN, -14 * DAY), facts: { confirmed_at: shift(CHECK_IN, -15 * DAY) }, before: FULL, at: FULL, after: HALF_BEFORE },
  { name: 'booked 10 days ahead: only the 24 h overlay gives a full refund', edge: shift(CHECK_IN, -9 * DAY), facts: { confirmed_at: shift(CHECK_IN, -10 * DAY) }, before: FULL, at: FULL, after: HALF_BEFORE },
  { name: 'check-in moment', edge: CHECK_IN, before: NONE_BEFORE, at: NONE_BEFORE, after: NONE_AFTER },
]);

edgeTable('non_refundable', [
  { name: 'check-in moment (only the cleaning fee changes)', edge: CHECK_IN, before: NONE_BEFORE, at: NONE_BEFORE, after: NONE_AFTER },
  { name: 'no 24 h overlay right after booking', edge: shift(CHECK_IN, -29 * DAY), facts: { confirmed_at: shift(CHECK_IN, -30 * DAY) }, before: NONE_BEFORE, at: NONE_BEFORE, after: NONE_BEFORE },
]);

describe('24-hour free cancellation overlay', () => {
  test('confirmed exactly 7 days before check-in: full refund until 24 h after confirmation (limited would give nothing)', () => {
    const confirmed_at = shift(CHECK_IN, -7 * DAY);
    const edge = shift(confirmed_at, DAY);
    assert.deepEqual(linesOf(decide('limited', edge, { confirmed_at })), FULL);
    assert.deepEqual(linesOf(decide('limited', shift(edge, -1), { confirmed_at })), FULL);
    assert.deepEqual(linesOf(decide('limited', shift(edge, 1), { confirmed_at })), NONE_BEFORE);
  });
  test('confirmed 1 s less than 7 days before check-in: no overlay', () => {
    const confirmed_at = shift(CHECK_IN, -7 * DAY + 1);
    assert.deepEqual(linesOf(decide('limited', shift(confirmed_at, 3600), { confirmed_at })), NONE_BEFORE);
    assert.deepEqual(linesOf(decide('firm', shift(confirmed_at, 3600), { confirmed_at })), NONE_BEFORE);
  });
  test('firm booked 10 days ahead: full for 24 h after confirmation, then 50%', () => {
    const confirmed_at = shift(CHECK_IN, -10 * DAY);
    const d = decide('firm', confirmed_at, { confirmed_at });
    assert.deepEqual(linesOf(d), FULL);
    assert.equal(d.valid_until, shift(confirmed_at, DAY));
    assert.match(d.explanation[0]!, /24-hour free cancellation/);
    assert.deepEqual(linesOf(decide('firm', shift(confirmed_at, DAY + 1), { confirmed_at })), HALF_BEFORE);
  });
});

describe('time zones and DST', () => {
  test('Pacific/Auckland: check-in 15:00 NZDT is 02:00Z; flexible edge is exactly 24 h earlier', () => {
    const facts = { time_zone: 'Pacific/Auckland', check_in: '2026-12-10', check_out: '2026-12-13' };
    assert.equal(formatIsoUtc(checkInMoment({ ...BASE, ...facts })), '2026-12-10T02:00:00Z');
    assert.deepEqual(linesOf(decide('flexible', '2026-12-09T02:00:00Z', facts)), FULL);
    assert.deepEqual(linesOf(decide('flexible', '2026-12-09T02:00:01Z', facts)), [20000, 5000, 0, 2001]);
  });
  test('Auckland spring-forward inside a window: 5 days are 120 real hours, not wall-clock days', () => {
    // NZ DST starts 2026-09-27 02:00 → 03:00. Check-in 2026-09-30 15:00 NZDT = 02:00Z; 5 days before = 2026-09-25T02:00Z (14:00 NZST local).
    const facts = { time_zone: 'Pacific/Auckland', check_in: '2026-09-30', check_out: '2026-10-03' };
    assert.deepEqual(linesOf(decide('moderate', '2026-09-25T02:00:00Z', facts)), FULL);
    assert.deepEqual(linesOf(decide('moderate', '2026-09-25T02:00:01Z', facts)), [10000, 5000, 0, 1001]);
  });
  test('New York fall-back inside a window: check-in 2026-11-03 15:00 EST = 20:00Z; 5 days before = 20:00Z (16:00 EDT)', () => {
    const facts = { check_in: '2026-11-03', check_out: '2026-11-06' };
    assert.deepEqual(linesOf(decide('moderate', '2026-10-29T20:00:00Z', facts)), FULL);
    assert.deepEqual(linesOf(decide('moderate', '2026-10-29T20:00:01Z', facts)), [10000, 5000, 0, 1001]);
  });
  test('a stay across the DST change: night 2 starts 25 h after night 1 (15:00 EST = 20:00Z)', () => {
    const facts = { check_in: '2026-10-31', check_out: '2026-11-03' };
    // night 1 starts 2026-10-31T19:00Z (EDT), night 2 2026-11-01T20:00Z (EST)
    assert.deepEqual(linesOf(decide('flexible', '2026-11-01T19:00:01Z', facts)), [10000, 0, 0, 1001], '24 h after check-in night 2 has not started');
    assert.deepEqual(linesOf(decide('flexible', '2026-11-01T20:00:00Z', facts)), [10000, 0, 0, 1001], 'exactly at its start it is not stayed');
    assert.deepEqual(linesOf(decide('flexible', '2026-11-01T20:00:01Z', facts)), NONE_AFTER);
    assert.equal(decide('flexible', '2026-11-01T10:00:00Z', facts).valid_until, '2026-11-01T20:00:00Z');
  });
});

describe('host cancellation', () => {
  // listing price 35001: 10% = 3500, 25% = 8750, 50% = 17500 (rounded down); credit 10% = 35 whole USD = 35 credits
  const cases: Array<[string, string, number]> = [
    ['1 s before 30 days', shift(CHECK_IN, -30 * DAY - 1), 3500],
    ['exactly 30 days', shift(CHECK_IN, -30 * DAY), 3500],
    ['1 s after 30 days', shift(CHECK_IN, -30 * DAY + 1), 8750],
    ['exactly 48 h', shift(CHECK_IN, -2 * DAY), 8750],
    ['1 s after 48 h', shift(CHECK_IN, -2 * DAY + 1), 17500],
    ['after check-in', shift(CHECK_IN, 3600), 17500],
  ];
  for (const [name, at, penalty] of cases) {
    test(`${name}: penalty ${penalty}, guest refunded everything`, () => {
      const d = decide('strict', at, {}, 'host');
      assert.equal(d.allowed, true);
      assert.equal(d.rule.policy, 'host_cancellation/standard');
      assert.equal(d.outcome.host_penalty, penalty);
      assert.equal(d.outcome.refund_to_guest, 42002);
      assert.deepEqual(linesOf(d), FULL);
      assert.equal(d.outcome.credit_to_guest, 35);
      assert.equal(d.outcome.host_payout, 0);
      assert.equal(d.outcome.platform_fee_kept, 0);
    });
  }
  test('already paid out: the whole payout is recovered', () => {
    const d = decide('moderate', shift(CHECK_IN, 2 * DAY), { host_paid_out_minor: 33950 }, 'host');
    assert.equal(d.outcome.host_recovery, 33950);
  });
  test('valid_until is the next tier edge', () => {
    assert.equal(decide('moderate', shift(CHECK_IN, -40 * DAY), {}, 'host').valid_until, shift(CHECK_IN, -30 * DAY));
  });
});

describe('amounts', () => {
  test('night splitting gives the remainder to the first nights: 10002 over 4 nights = 2501, 2501, 2500, 2500', () => {
    const facts = { nightly_total: 10002, taxes: 0, check_out: '2026-10-24', paid_minor: 10002 + 5000 + 4000 };
    assert.equal(decide('flexible', shift(CHECK_IN, -3600), facts).outcome.lines.nightly_refund, 10002 - 2501);
    assert.equal(decide('flexible', shift(CHECK_IN, 3600), facts).outcome.lines.nightly_refund, 10002 - 5002);
    assert.equal(decide('flexible', '2026-10-21T19:00:01Z', facts).outcome.lines.nightly_refund, 2500);
    assert.equal(decide('flexible', '2026-10-22T19:00:01Z', facts).outcome.lines.nightly_refund, 0);
  });
  test('JPY (zero-decimal): moderate < 5 days', () => {
    const facts = { currency: 'JPY', nightly_total: 100000, cleaning_fee: 0, guest_service_fee: 14000, taxes: 10000, paid_minor: 124000 };
    const d = decide('moderate', shift(CHECK_IN, -DAY), facts);
    // nights 33334 + 33333 + 33333; host keeps 33334 and half of 66666 → refund 33333; taxes ceil(10000*33333/100000) = 3334
    assert.deepEqual(linesOf(d), [33333, 0, 0, 3334]);
    assert.equal(d.outcome.lines.host_fee, 2000); // floor(66667 * 3%)
    assert.equal(d.outcome.host_payout, 64667);
    assertBalanced(d, 124000);
    assert.ok(d.explanation.some((l) => l.includes('JPY 33334')), d.explanation.join('\n'));
  });
  test('the explanation names the rule, the window and the amounts', () => {
    const d = decide('moderate', shift(CHECK_IN, -(3 * DAY + 4 * 3600)));
    assert.equal(d.explanation[0], 'Moderate v1: cancelled by the guest 3 days 4 hours before check-in (< 5 days before check-in or after check-in).');
    assert.equal(d.explanation[1], 'Host keeps night 1 (USD 100.01: 0 nights stayed + up to 1 more night) and 50% of the 2 remaining nights (USD 200.00); nightly refund USD 100.00 (rounded up).');
  });
  test('host fee is taken only from what the host keeps, rounded down', () => {
    const d = decide('limited', shift(CHECK_IN, -10 * DAY));
    assert.equal(d.outcome.lines.nightly_kept, 15000);
    assert.equal(d.outcome.lines.host_fee, 450);
    assert.equal(d.outcome.host_payout, 14550);
    assert.equal(d.outcome.platform_fee_kept, 450 + 4000);
  });
  test('partial refund after part of the payout went out: recovery is what was paid beyond the new payout', () => {
    const d = decide('flexible', shift(CHECK_IN, 3600), { host_paid_out_minor: 30000 });
    assert.equal(d.outcome.host_recovery, 30000 - d.outcome.host_payout);
  });
  test('redeemed credits: the money part of the service fee is refunded and the credits restored on a full refund', () => {
    // 1500 credits = USD 15.00 off the 40.00 service fee
    const facts = { credits_redeemed: 1500, paid_minor: 42002 - 1500 };
    const full = decide('moderate', shift(CHECK_IN, -10 * DAY), facts);
    assert.equal(full.outcome.lines.service_fee_refund, 2500);
    assert.equal(full.outcome.credit_to_guest, 1500);
    assertBalanced(full, 40502);
    const partial = decide('moderate', shift(CHECK_IN, -DAY), facts);
    assert.equal(partial.outcome.credit_to_guest, 0);
    assert.equal(partial.outcome.lines.service_fee_kept, 2500);
    assertBalanced(partial, 40502);
  });
});

describe('refusals and unpaid bookings', () => {
  test('unpaid: allowed, nothing moves, until the check-out moment ends the right to cancel', () => {
    const d = decide('strict', shift(CHECK_IN, -DAY), { paid_minor: 0 });
    assert.equal(d.allowed, true);
    assert.equal(d.outcome.refund_to_guest + d.outcome.host_payout + d.outcome.platform_fee_kept, 0);
    assert.equal(d.valid_until, '2026-10-23T19:00:00Z');
  });
  test('unpaid host cancellation: no refund, penalty and credit still apply', () => {
    const d = decide('strict', shift(CHECK_IN, -DAY), { paid_minor: 0 }, 'host');
    assert.equal(d.outcome.refund_to_guest, 0);
    assert.equal(d.outcome.host_penalty, 17500);
    assert.equal(d.outcome.credit_to_guest, 35);
  });
  for (const [facts, reason] of [
    [{ status: 'cancelled' }, 'booking_cancelled'],
    [{ status: 'completed' }, 'stay_completed'],
    [{ paid_minor: 1000 }, 'payment_mismatch'],
  ] as Array<[Partial<BookingFacts>, string]>) {
    test(`refused: ${reason}`, () => {
      for (const by of ['guest', 'host'] as const) {
        const d = decide('flexible', shift(CHECK_IN, -DAY), facts, by);
        assert.equal(d.allowed, false);
        assert.equal(d.reason, reason);
        assert.equal(d.outcome.refund_to_guest, 0);
      }
    });
  }
  test('check-out moment: allowed exactly at it, refused 1 s after', () => {
    assert.equal(decide('flexible', '2026-10-23T19:00:00Z').allowed, true);
    const d = decide('flexible', '2026-10-23T19:00:01Z');
    assert.equal(d.allowed, false);
    assert.equal(d.reason, 'checked_out');
    assert.equal(d.valid_until, null);
  });
});

describe('hashes and determinism', () => {
  test('same input gives byte-identical canonical JSON', () => {
    const at = shift(CHECK_IN, -DAY);
    assert.equal(canonicalJson(decide('moderate', at)), canonicalJson(decide('moderate', at)));
  });
  test('outcome_hash does not depend on the evaluation time within the window, and changes across an edge', () => {
    const a = decide('moderate', shift(CHECK_IN, -4 * DAY));
    const b = decide('moderate', shift(CHECK_IN, -3 * DAY));
    assert.equal(a.outcome_hash, b.outcome_hash);
    assert.notEqual(a.explanation[0], b.explanation[0]);
    assert.notEqual(a.outcome_hash, decide('moderate', shift(CHECK_IN, -6 * DAY)).outcome_hash);
  });
  test('guest and host sides hash differently even with equal amounts', () => {
    const g = decide('moderate', shift(CHECK_IN, -10 * DAY), { paid_minor: 0 });
    const h = decide('moderate', shift(CHECK_IN, -10 * DAY), { paid_minor: 0 }, 'host');
    assert.notEqual(g.outcome_hash, h.outcome_hash);
  });
  test('valid_until: 6 days before check-in under moderate holds until exactly 5 days before', () => {
    assert.equal(decide('moderate', shift(CHECK_IN, -6 * DAY)).valid_until, shift(CHECK_IN, -5 * DAY));
  });
  test('a bad instant is a validation error', () => {
    assert.throws(() => decide('moderate', '2026-10-01 10:00'), (e: unknown) => (e as { code?: string }).code === 'validation_failed');
  });
});
