import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addDays, canonicalJson, formatIsoUtc, localToUtc, DAY_MS, HOUR_MS, SECOND_MS } from '../kernel/index.js';
import { decideCancellation, redeemValueMinor, type BookingFacts, type Decision, type LoyaltyDocument } from './index.js';
import { cancellationPolicies, SHIPPED_CANCELLATION_IDS } from '../policy-files.js';

const POLICIES = Object.fromEntries(SHIPPED_CANCELLATION_IDS.map((id) => [id, cancellationPolicies(id)]));
const ZONES = ['America/New_York', 'Pacific/Auckland', 'Europe/London', 'Asia/Tokyo', 'America/Los_Angeles', 'Australia/Lord_Howe', 'UTC'];
const LOYALTY = POLICIES.flexible!.loyalty.document as LoyaltyDocument;

type Case = { policy: string; facts: BookingFacts; by: 'guest' | 'host'; at_ms: number };

/** A booking with random amounts, zone, stay and timing; `at` ranges from before confirmation to after check-out. */
const caseArb: fc.Arbitrary<Case> = fc.record({
  policy: fc.constantFrom(...SHIPPED_CANCELLATION_IDS),
  currency: fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'),
  nightly_total: fc.integer({ min: 0, max: 5_000_000 }),
  cleaning_fee: fc.integer({ min: 0, max: 100_000 }),
  guest_service_fee: fc.integer({ min: 0, max: 500_000 }),
  taxes: fc.integer({ min: 0, max: 500_000 }),
  day: fc.integer({ min: 0, max: 700 }),
  nights: fc.integer({ min: 1, max: 27 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.constantFrom(0, 30, 59),
  zone: fc.constantFrom(...ZONES),
  lead_s: fc.integer({ min: 0, max: 90 * 86_400 }),
  at_offset_s: fc.integer({ min: -2 * 86_400, max: 120 * 86_400 }),
  paid: fc.boolean(),
  credits: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
  paid_out_fraction: fc.integer({ min: 0, max: 100 }),
  by: fc.constantFrom('guest' as const, 'host' as const),
}).map((r) => {
  const check_in = addDays('2026-01-01', r.day);
  const check_in_time = `${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`;
  const ci = localToUtc(check_in, check_in_time, r.zone);
  const confirmed_ms = ci - r.lead_s * SECOND_MS;
  const facts: BookingFacts = {
    booking_id: 'bk_p', currency: r.currency, nightly_total: r.nightly_total, cleaning_fee: r.cleaning_fee,
    guest_service_fee: r.guest_service_fee, taxes: r.taxes, check_in, check_out: addDays(check_in, r.nights), check_in_time,
    time_zone: r.zone, confirmed_at: formatIsoUtc(confirmed_ms), status: 'active', paid_minor: 0, host_paid_out_minor: 0,
  };
  if (r.credits !== undefined) facts.credits_redeemed = r.credits;
  const discount = r.credits ? redeemValueMinor(LOYALTY, r.currency, r.credits, r.guest_service_fee) : 0;
  const total = r.nightly_total + r.cleaning_fee + r.guest_service_fee - discount + r.taxes;
  facts.paid_minor = r.paid ? total : 0;
  facts.host_paid_out_minor = Math.floor(((r.nightly_total + r.cleaning_fee) * r.paid_out_fraction) / 100);
  return { policy: r.policy, facts, by: r.by, at_ms: confirmed_ms - DAY_MS + r.at_offset_s * SECOND_MS };
});

function decideAt(c: Case, at_ms: number): Decision {
  return decideCancellation({ policies: POLICIES[c.policy]!, facts: c.facts, by: c.by, at: formatIsoUtc(at_ms) });
}

const RUNS = { numRuns: 400 };

test('the parts always sum exactly to what was paid, and no refund exceeds what was paid', () => {
  fc.assert(fc.property(caseArb, (c) => {
    const d = decideAt(c, c.at_ms);
    const o = d.outcome;
    const l = o.lines;
    for (const v of [o.refund_to_guest, o.host_payout, o.platform_fee_kept, o.taxes_kept, o.host_penalty, o.host_recovery, o.credit_to_guest, ...Object.values(l)]) {
      assert.ok(Number.isSafeInteger(v) && v >= 0, `non-negative integer: ${v}`);
    }
    assert.ok(o.refund_to_guest <= c.facts.paid_minor);
    if (!d.allowed) return;
    assert.equal(o.refund_to_guest + o.host_payout + o.platform_fee_kept + o.taxes_kept, c.facts.paid_minor);
    assert.equal(o.refund_to_guest, l.nightly_refund + l.cleaning_refund + l.service_fee_refund + l.taxes_refund);
    if (c.facts.paid_minor > 0) {
      assert.ok(l.nightly_refund <= c.facts.nightly_total && l.cleaning_refund <= c.facts.cleaning_fee && l.taxes_refund <= c.facts.taxes);
      assert.equal(l.nightly_refund + l.nightly_kept, c.facts.nightly_total);
      assert.equal(o.host_payout + l.host_fee, l.nightly_kept + l.cleaning_kept);
      assert.equal(o.host_recovery, Math.max(0, c.facts.host_paid_out_minor - o.host_payout));
    }
  }), RUNS);
});

test('a guest refund never grows as time passes (holds for every shipped policy)', () => {
  fc.assert(fc.property(caseArb, fc.integer({ min: 1, max: 40 * 86_400 }), (c, later_s) => {
    const g = { ...c, by: 'guest' as const };
    const a = decideAt(g, c.at_ms).outcome;
    const b = decideAt(g, c.at_ms + later_s * SECOND_MS).outcome;
    assert.ok(b.refund_to_guest <= a.refund_to_guest, `${b.refund_to_guest} > ${a.refund_to_guest}`);
    assert.ok(b.lines.nightly_refund <= a.lines.nightly_refund);
  }), RUNS);
});

test('the engine is deterministic: equal input gives byte-identical canonical JSON', () => {
  fc.assert(fc.property(caseArb, (c) => {
    const copy = JSON.parse(JSON.stringify(c)) as Case;
    assert.equal(canonicalJson(decideAt(c, c.at_ms)), canonicalJson(decideAt(copy, copy.at_ms)));
  }), { numRuns: 150 });
});

test('valid_until is exact: same outcome (and hash) up to it, a different one 1 s after; the hash ignores `at` inside', () => {
  fc.assert(fc.property(caseArb, fc.integer({ min: 0, max: 1_000_000 }), (c, frac) => {
    const d = decideAt(c, c.at_ms);
    if (d.valid_until === null) {
      // Never changes again: far in the future the hash is the same.
      assert.equal(decideAt(c, c.at_ms + 400 * DAY_MS).outcome_hash, d.outcome_hash);
      return;
    }
    const until = Date.parse(d.valid_until);
    assert.ok(until >= c.at_ms);
    const atEdge = decideAt(c, until);
    assert.equal(atEdge.outcome_hash, d.outcome_hash);
    assert.equal(atEdge.valid_until, d.valid_until);
    const inside = c.at_ms + Math.floor(((until - c.at_ms) * frac) / 1_000_000);
    assert.equal(decideAt(c, inside).outcome_hash, d.outcome_hash);
    const after = decideAt(c, until + SECOND_MS);
    assert.ok(after.outcome_hash !== d.outcome_hash || after.allowed !== d.allowed, 'outcome changes 1 s after valid_until');
  }), { numRuns: 300 });
});

test('host cancellation refunds everything paid and charges a penalty of 10/25/50% of the listing price', () => {
  fc.assert(fc.property(caseArb, (c) => {
    const d = decideAt({ ...c, by: 'host' }, c.at_ms);
    if (!d.allowed) return;
    assert.equal(d.outcome.refund_to_guest, c.facts.paid_minor);
    assert.equal(d.outcome.host_payout, 0);
    const listing = c.facts.nightly_total + c.facts.cleaning_fee;
    assert.ok([1000, 2500, 5000].some((bps) => d.outcome.host_penalty === Math.floor((listing * bps) / 10_000)));
    assert.equal(d.outcome.host_recovery, c.facts.host_paid_out_minor);
  }), RUNS);
});
