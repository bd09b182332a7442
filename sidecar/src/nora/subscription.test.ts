import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DomainError, parseIsoUtc } from '../kernel/index.js';
import {
  canMoveSubscription, creditNoteLines, decideDunning, decidePlanChange, decideSubscriptionCancel, invoiceIssuedLines, invoicePaidLines,
  nextSubscriptionState, prorate, recognisedAt, revenueSchedule, roleLinesBalance, subscriptionConsentHash, SUBSCRIPTION_STATES,
  type InvoiceFacts, type SubscriptionFacts, type SubscriptionState,
} from './index.js';
import { loadPolicy } from '../policy-files.js';

const policy = loadPolicy('subscription', 'standard');
const DAY = 86_400_000;
const ms = parseIsoUtc;

describe('subscription state machine', () => {
  test('trialing → active → past_due → unpaid → canceled; paused and resumed', () => {
    let s: SubscriptionState = 'none';
    for (const to of ['trialing', 'active', 'past_due', 'unpaid', 'canceled'] as const) s = nextSubscriptionState(s, to);
    assert.equal(s, 'canceled');
    assert.equal(nextSubscriptionState(nextSubscriptionState('active', 'paused'), 'active'), 'active');
  });
  test('canceled is final; incomplete_expired is final; illegal moves are refused with illegal_transition', () => {
    for (const to of SUBSCRIPTION_STATES.filter((x) => x !== 'canceled' && x !== 'none')) {
      assert.throws(() => nextSubscriptionState('canceled', to), (e) => e instanceof DomainError && e.code === 'illegal_transition');
    }
    assert.equal(canMoveSubscription('incomplete_expired', 'active'), false);
    assert.equal(canMoveSubscription('past_due', 'trialing'), false);
    assert.equal(canMoveSubscription('active', 'active'), true);
  });
});

function monthly(over: Partial<InvoiceFacts> = {}): InvoiceFacts {
  return {
    invoice_id: 'in_1', subscription_id: 'sub_1', customer: 'cus_1', currency: 'USD', total_minor: 2160, amount_due_minor: 2160, amount_paid_minor: 2160, tax_minor: 160,
    lines: [{ line_id: 'il_1', amount_minor: 2000, discount_minor: 0, inclusive_tax_minor: 0, proration: false, price: 'price_x', period_start_ms: ms('2026-09-01T00:00:00Z'), period_end_ms: ms('2026-10-01T00:00:00Z') }],
    ...over,
  };
}

describe('invoice → ledger lines', () => {
  test('a monthly invoice: receivable, revenue, tax; the payment moves it into the Stripe balance', () => {
    const { lines, deferred } = invoiceIssuedLines(monthly(), 31);
    assert.deepEqual(lines.map((l) => [l.role, l.direction, l.amount_minor]), [['host_receivable', 'D', 2160], ['subscription_revenue', 'C', 2000], ['tax_payable', 'C', 160]]);
    assert.equal(deferred.length, 0);
    assert.deepEqual(invoicePaidLines(2160).map((l) => [l.role, l.direction, l.amount_minor]), [['stripe_balance', 'D', 2160], ['host_receivable', 'C', 2160]]);
  });
  test('proration lines are their own lines; a discount is contra-revenue', () => {
    const inv = monthly({
      total_minor: 2000 - 667 + 1667 - 100, amount_due_minor: 2900, tax_minor: 0,
      lines: [
        { line_id: 'il_credit', amount_minor: -667, discount_minor: 0, inclusive_tax_minor: 0, proration: true, price: 'price_a', period_start_ms: 0, period_end_ms: DAY * 10 },
        { line_id: 'il_charge', amount_minor: 1667, discount_minor: 0, inclusive_tax_minor: 0, proration: true, price: 'price_b', period_start_ms: 0, period_end_ms: DAY * 10 },
        { line_id: 'il_plan', amount_minor: 2000, discount_minor: 100, inclusive_tax_minor: 0, proration: false, price: 'price_b', period_start_ms: 0, period_end_ms: DAY * 30 },
      ],
    });
    const { lines } = invoiceIssuedLines(inv, 31);
    assert.deepEqual(lines.map((l) => [l.role, l.direction, l.amount_minor]), [
      ['host_receivable', 'D', 2900], ['proration_revenue', 'D', 667], ['proration_revenue', 'C', 1667], ['subscription_revenue', 'C', 2000], ['contra_revenue', 'D', 100],
    ]);
    assert.ok(roleLinesBalance(lines));
  });
  test('an annual line is deferred; an invoice whose figures do not add up is refused', () => {
    const annual = monthly({ total_minor: 20000, amount_due_minor: 20000, tax_minor: 0, lines: [{ ...monthly().lines[0]!, amount_minor: 20000, period_end_ms: ms('2027-09-01T00:00:00Z') }] });
    const { lines, deferred } = invoiceIssuedLines(annual, 31);
    assert.deepEqual(lines.map((l) => l.role), ['host_receivable', 'deferred_revenue']);
    assert.equal(deferred[0]!.amount_minor, 20000);
    assert.throws(() => invoiceIssuedLines(monthly({ total_minor: 9999 }), 31), (e) => e instanceof DomainError && e.code === 'validation_failed');
    assert.throws(() => invoiceIssuedLines(monthly({ amount_due_minor: -5 }), 31), (e) => e instanceof DomainError && e.code === 'amount_out_of_range');
  });
  test('a credit note reverses revenue and tax, and says where the money goes', () => {
    const lines = creditNoteLines({ credit_note_id: 'cn_1', invoice_id: 'in_1', currency: 'USD', total_minor: 1080, tax_minor: 80, lines: [{ invoice_line_id: 'il_1', amount_minor: 1000, discount_minor: 0 }], pre_payment_minor: 0, refund_minor: 1080, credit_minor: 0, out_of_band_minor: 0 }, () => 'subscription_revenue');
    assert.deepEqual(lines.map((l) => [l.role, l.direction, l.amount_minor]), [['subscription_revenue', 'D', 1000], ['tax_payable', 'D', 80], ['stripe_balance', 'C', 1080]]);
  });
});

describe('properties', () => {
  test('a revenue schedule sums exactly to the amount, one day at a time, the same on every run', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: 1, max: 800 * DAY }), (amount, start_s, len) => {
      const start = start_s * 1000;
      const s = revenueSchedule({ amount_minor: amount, period_start_ms: start, period_end_ms: start + len });
      assert.equal(s.reduce((a, d) => a + d.amount_minor, 0), amount);
      assert.equal(s.length, Math.ceil(len / DAY));
      assert.equal(s[s.length - 1]!.ends_at_ms, start + len);
      assert.ok(Math.max(...s.map((d) => d.amount_minor)) - Math.min(...s.map((d) => d.amount_minor)) <= 1);
      assert.equal(recognisedAt(s, start + len).cumulative_minor, amount);
      assert.equal(recognisedAt(s, start).cumulative_minor, 0);
      assert.deepEqual(revenueSchedule({ amount_minor: amount, period_start_ms: start, period_end_ms: start + len }), s);
    }), { numRuns: 300 });
  });

  const lineArb = fc.record({
    amount_minor: fc.integer({ min: -500_000, max: 5_000_000 }), discount_pct: fc.integer({ min: 0, max: 100 }), incl_pct: fc.integer({ min: 0, max: 30 }),
    proration: fc.boolean(), days: fc.integer({ min: 1, max: 400 }),
  });
  test('every invoice, payment and credit note plan balances; deferred lines never exceed what was invoiced', () => {
    fc.assert(fc.property(fc.array(lineArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 500_000 }), fc.integer({ min: 0, max: 100 }), (ls, excl_tax, credit_pct) => {
      const lines = ls.map((l, i) => {
        const pos = Math.max(0, l.amount_minor);
        return { line_id: `il_${i}`, amount_minor: l.amount_minor, discount_minor: Math.floor((pos * l.discount_pct) / 100), inclusive_tax_minor: Math.floor((Math.floor((pos * (100 - l.discount_pct)) / 100) * l.incl_pct) / 100), proration: l.proration, price: null, period_start_ms: 0, period_end_ms: l.days * DAY };
      });
      const tax = excl_tax + lines.reduce((a, l) => a + l.inclusive_tax_minor, 0);
      const total = lines.reduce((a, l) => a + l.amount_minor - l.discount_minor, 0) + excl_tax;
      const due = total > 0 ? total - Math.floor((total * credit_pct) / 100 / 2) : 0;
      const inv: InvoiceFacts = { invoice_id: 'in_p', subscription_id: null, customer: 'cus', currency: 'USD', total_minor: total, amount_due_minor: due, amount_paid_minor: due, tax_minor: tax, lines };
      const { lines: plan, deferred } = invoiceIssuedLines(inv, 31);
      assert.ok(roleLinesBalance(plan));
      assert.ok(plan.every((l) => Number.isSafeInteger(l.amount_minor) && l.amount_minor > 0));
      const deferredCredit = plan.filter((l) => l.role === 'deferred_revenue').reduce((a, l) => a + l.amount_minor, 0);
      assert.equal(deferred.reduce((a, d) => a + d.amount_minor, 0), deferredCredit);
      assert.ok(roleLinesBalance(invoicePaidLines(due)));
    }), { numRuns: 300 });
  });
});

function sub(over: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return {
    host_id: 'host_1', subscription_id: 'sub_1', item_id: 'si_1', state: 'active', currency: 'USD', price: 'price_1PgafmB7WZ01zgkW6dKueIc5', quantity: 1,
    period_start_ms: ms('2026-09-01T00:00:00Z'), period_end_ms: ms('2026-10-01T00:00:00Z'), open_invoices_minor: 0, payouts_held: false, ...over,
  };
}

describe('plan change and cancellation previews', () => {
  test('an upgrade on day 10 of 30 credits 20/30 of the old price and charges 20/30 of the new, rounded like Stripe', () => {
    const d = decidePlanChange({ policy, sub: sub(), price: 'price_HostPlusMonthly', at: '2026-09-11T15:30:00Z' });
    assert.equal(d.allowed, true);
    assert.equal(d.outcome.proration_date, '2026-09-11T00:00:00Z');
    assert.equal(d.outcome.unused_time_credit_minor, -prorate(2000, 20, 30));
    assert.equal(d.outcome.unused_time_credit_minor, -1333);
    assert.equal(d.outcome.new_plan_charge_minor, 3333);
    assert.equal(d.outcome.net_minor, 2000);
    assert.equal(d.outcome.invoiced, 'now');
    assert.equal(d.valid_until, '2026-09-11T23:59:59.999Z');
    // the same day, later: the same hash (consent holds); the next day: another outcome, another hash
    assert.equal(decidePlanChange({ policy, sub: sub(), price: 'price_HostPlusMonthly', at: '2026-09-11T23:59:59Z' }).outcome_hash, d.outcome_hash);
    assert.notEqual(decidePlanChange({ policy, sub: sub(), price: 'price_HostPlusMonthly', at: '2026-09-12T00:00:00Z' }).outcome_hash, d.outcome_hash);
  });
  test('unknown price, other currency, same price, past due', () => {
    assert.throws(() => decidePlanChange({ policy, sub: sub(), price: 'price_nope', at: '2026-09-11T00:00:00Z' }), (e) => e instanceof DomainError && e.code === 'unknown_price');
    assert.throws(() => decidePlanChange({ policy, sub: sub(), price: 'price_HostProMonthlyEur', at: '2026-09-11T00:00:00Z' }), (e) => e instanceof DomainError && e.code === 'currency_mismatch');
    assert.equal(decidePlanChange({ policy, sub: sub(), price: 'price_1PgafmB7WZ01zgkW6dKueIc5', at: '2026-09-11T00:00:00Z' }).reason, 'same_price');
    assert.equal(decidePlanChange({ policy, sub: sub({ state: 'past_due' }), price: 'price_HostPlusMonthly', at: '2026-09-11T00:00:00Z' }).reason, 'subscription_past_due');
  });
  test('monthly → annual restarts the cycle: the annual price in full, the unused month credited', () => {
    const d = decidePlanChange({ policy, sub: sub(), price: 'price_HostProAnnual', at: '2026-09-16T08:00:00Z' });
    assert.equal(d.outcome.billing_cycle, 'restarts');
    assert.equal(d.outcome.new_plan_charge_minor, 20000);
    assert.equal(d.outcome.unused_time_credit_minor, -prorate(2000, 15, 30));
    assert.equal(d.outcome.current_period_end, '2027-09-16T00:00:00Z');
  });
  test('cancellation at period end credits nothing and keeps open invoices owed', () => {
    const d = decideSubscriptionCancel({ policy, sub: sub({ open_invoices_minor: 2000, payouts_held: true }), at: '2026-09-20T00:00:00Z' });
    assert.equal(d.outcome.cancel_at, '2026-10-01T00:00:00Z');
    assert.equal(d.outcome.unused_time_credit_minor, 0);
    assert.equal(d.outcome.payouts, 'held_until_paid');
    assert.equal(decideSubscriptionCancel({ policy, sub: sub({ state: 'canceled' }), at: '2026-09-20T00:00:00Z' }).allowed, false);
  });
  test('consent hash binds host, action, outcome, actor and time', () => {
    const a = subscriptionConsentHash({ host_id: 'h', action: 'change_plan', outcome_hash: 'sha256:00', actor: 'host:h', consented_at: '2026-09-11T10:00:00Z' });
    assert.match(a, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(a, subscriptionConsentHash({ host_id: 'h', action: 'cancel_subscription', outcome_hash: 'sha256:00', actor: 'host:h', consented_at: '2026-09-11T10:00:00Z' }));
  });
});

describe('dunning', () => {
  test('grace, then payouts held; listings unbookable later; nothing overdue: current', () => {
    const since = '2026-09-22T10:00:00Z';
    assert.equal(decideDunning({ policy, overdue_since: since, at: '2026-09-29T10:00:00Z' }).stage, 'grace'); // the edge belongs to the grace
    const after = decideDunning({ policy, overdue_since: since, at: '2026-09-29T10:00:01Z' });
    assert.equal(after.hold_payouts, true);
    assert.equal(after.offset_invoice, false);
    assert.equal(after.listings_bookable, true);
    assert.equal(decideDunning({ policy, overdue_since: since, at: '2026-10-07T00:00:00Z' }).listings_bookable, false);
    assert.equal(decideDunning({ policy, overdue_since: null, at: '2026-10-07T00:00:00Z' }).stage, 'current');
  });
});
