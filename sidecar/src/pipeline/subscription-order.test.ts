import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dialects } from '../testing/databases.js';
import { startHarness, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { hostConnected, tick } from '../testing/events.js';
import { postStripeWebhook } from '../client/signed-client.js';
import { readEntries, trialBalance } from '../flows/ledger/index.js';
import { invoiceEvent, invoicePaymentPaid, subscriptionEvent } from '../flows/stories/subscription-helpers.test-helper.js';

/**
 * Dunning must not depend on the order Stripe delivers one invoice's events (Stripe guarantees no
 * order), nor on how often: every permutation, with duplicates, ends in the same dunning steps, the
 * same decisions, the same announcements and the same money as the events in time order. Ticks come
 * from the booking engine in order; a Stripe event may arrive before a tick that is earlier than it
 * (the tick is late), but a tick never overtakes an older Stripe event here: a fact the log learns
 * only after a tick has acted on the lack of it is a different history (docs/deviations.md #14).
 */
const T0 = Date.parse('2026-09-01T00:00:00Z') / 1000;
const DAY = 86_400;
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

type Delivery = { name: string; at: number; source: 'stripe' | 'booking'; body: Record<string, unknown> };
type Ending = 'paid_in_grace' | 'paid_after_grace' | 'paid_after_unbookable' | 'never_paid' | 'voided' | 'written_off';
const ENDINGS: Ending[] = ['paid_in_grace', 'paid_after_grace', 'paid_after_unbookable', 'never_paid', 'voided', 'written_off'];

/** One host, one subscription, one renewal invoice whose first payment fails, and how it ends. */
function scenario(tag: string, ending: Ending, pi: string): { setup: Delivery[]; stripe: Delivery[]; ticks: Delivery[] } {
  const sub = `sub_${tag}`;
  const cus = `cus_${tag}`;
  const inv = `in_${tag}`;
  const host = `host_${tag}`;
  const lines = [{ id: `il_${tag}`, amount: 2000, tax: 160, period: [T0, T0 + 30 * DAY] as [number, number] }];
  const d = (name: string, at: number, source: Delivery['source'], body: Record<string, unknown>): Delivery => ({ name, at, source, body });
  const setup = [
    d('host', T0 - DAY, 'booking', hostConnected(host, `acct_1${tag}`, iso(T0 - DAY))),
    d('sub.created', T0 - 10, 'stripe', subscriptionEvent('created', { sub, customer: cus, host_id: host, created: T0 - 10, period: [T0, T0 + 30 * DAY] })),
  ];
  const stripe = [
    d('invoice.created', T0 + 1, 'stripe', { ...invoiceEvent('finalized', { invoice: inv, sub, customer: cus, created: T0 + 1, lines, status: 'draft' }), type: 'invoice.created' }),
    d('invoice.finalized', T0 + 2, 'stripe', invoiceEvent('finalized', { invoice: inv, sub, customer: cus, created: T0 + 2, lines })),
    d('invoice.payment_failed', T0 + 3, 'stripe', invoiceEvent('payment_failed', { invoice: inv, sub, customer: cus, created: T0 + 3, lines })),
    d('sub.past_due', T0 + 3, 'stripe', subscriptionEvent('updated', { sub, customer: cus, host_id: host, status: 'past_due', created: T0 + 3, period: [T0, T0 + 30 * DAY] })),
  ];
  const endAt = { paid_in_grace: T0 + 2 * DAY, paid_after_grace: T0 + 8 * DAY, paid_after_unbookable: T0 + 20 * DAY, never_paid: 0, voided: T0 + 9 * DAY, written_off: T0 + 9 * DAY }[ending];
  if (ending.startsWith('paid')) {
    stripe.push(
      d('invoice.paid', endAt, 'stripe', invoiceEvent('paid', { invoice: inv, sub, customer: cus, created: endAt, lines })),
      d('invoice_payment.paid', endAt, 'stripe', invoicePaymentPaid({ invoice: inv, amount: 2160, payment_intent: pi, created: endAt })),
      d('sub.active', endAt, 'stripe', subscriptionEvent('updated', { sub, customer: cus, host_id: host, status: 'active', created: endAt, period: [T0, T0 + 30 * DAY] })),
    );
  } else if (ending === 'voided') {
    stripe.push(d('invoice.voided', endAt, 'stripe', invoiceEvent('voided', { invoice: inv, sub, customer: cus, created: endAt, lines })));
  } else if (ending === 'written_off') {
    stripe.push(d('invoice.marked_uncollectible', endAt, 'stripe', invoiceEvent('marked_uncollectible', { invoice: inv, sub, customer: cus, created: endAt, lines })));
  }
  // Ticks in the grace, past the grace, past the unbookable day, and at the end.
  const ticks = [3, 7.5, 15, 25].map((days) => d(`tick+${days}d`, T0 + days * DAY, 'booking', tick(iso(T0 + days * DAY))));
  return { setup, stripe, ticks };
}

/** Interleaves the Stripe events (in the given order, with copies) and the ticks (in order), a tick never before an older Stripe event. */
function interleave(stripe: Delivery[], ticks: Delivery[], slots: number[]): Delivery[] {
  const out: Delivery[] = [];
  const pending = [...ticks];
  const seen: Delivery[] = [];
  stripe.forEach((s, i) => {
    // before this Stripe event, the ticks the generator wants here, if every older Stripe event is in
    while (pending.length > 0 && (slots[i] ?? 0) > 0 && stripe.slice(i).every((x) => x.at >= pending[0]!.at || seen.includes(x))) {
      out.push(pending.shift()!);
      slots[i] = (slots[i] ?? 0) - 1;
    }
    out.push(s);
    seen.push(s);
  });
  return [...out, ...pending];
}

type Outcome = {
  steps: string[];
  decisions: string[];
  announcements: string[];
  entries: string[];
  balances: string[];
  view: { state: string; holds: string[]; open: number };
};

async function run(dialect: Parameters<typeof startHarness>[0], tag: string, ending: Ending, order: (pi: string) => Delivery[]): Promise<Outcome> {
  const h: Harness = await startHarness(dialect, { stripe: true });
  try {
    h.fake!.setNow(T0);
    const pi = h.fake!.createPayment({ amount: 2160, currency: 'usd' }).id;
    for (const x of order(pi)) {
      const r = x.source === 'stripe' ? await postStripeWebhook(h.sidecar.url, x.body, WEBHOOK_SECRET) : await h.engine.event(x.body as never);
      assert.ok(r.status === 200 || r.status === 202, `${x.name}: ${r.status} ${r.text}`);
    }
    await h.settle();
    const db = h.t.db;
    const host = `host_${tag}`;
    const steps = (await db('dunning_steps').orderBy('id').select('episode', 'step', 'decision_id', 'at')) as Array<Record<string, string>>;
    const decisions = (await db('decisions').where('action', 'like', 'subscription_dunning_%').orderBy('decision_id').select('decision_id', 'action', 'outcome_hash', 'input_hash', 'evaluated_at')) as Array<Record<string, string>>;
    const outbound = (await db('outbound_events').where({ host_id: host }).orderBy('id').select('type', 'body')) as Array<{ type: string; body: string }>;
    const entries = (await readEntries(db)).filter((e) => e.idempotency_key.startsWith(`subscription:sub_${tag}:`));
    const view = await h.reader.get(`/hosts/${host}/subscription`);
    const tb = await trialBalance(db);
    for (const r of tb.rows) assert.equal(r.debits_minor, r.credits_minor, `trial balance ${r.unit}`);
    return {
      steps: steps.map((s) => `${s.episode}|${s.step}|${s.decision_id}|${s.at}`),
      decisions: decisions.map((x) => `${x.decision_id}|${x.action}|${x.outcome_hash}|${x.input_hash}|${x.evaluated_at}`),
      announcements: outbound.filter((o) => o.type.startsWith('subscription.')).map((o) => {
        const b = JSON.parse(o.body) as { occurred_at: string; data: Record<string, unknown> };
        return `${o.type}|${b.occurred_at}|${JSON.stringify(b.data)}`;
      }),
      entries: entries.map((e) => `${e.idempotency_key.replace(/txn_[a-z0-9]+_/, 'txn_')}|${e.kind}|${e.lines.map((l) => `${l.direction}${l.account}=${l.amount_minor}`).join(',')}`).sort(),
      balances: tb.accounts.filter((a) => a.account.includes(host) || a.account.startsWith('platform:subscription') || a.account.startsWith('platform:taxes')).map((a) => `${a.account}=${a.balance_minor}`).sort(),
      view: { state: view.body.state, holds: (view.body.holds ?? []).map((x: { step: string }) => x.step), open: (view.body.open_invoices ?? []).length },
    };
  } finally {
    await h.stop();
  }
}

/** What each ending must come to, whatever the order (the reference run is in time order). */
const EXPECTED_STEPS: Record<Ending, string[]> = {
  paid_in_grace: [],
  paid_after_grace: ['hold', 'release'],
  paid_after_unbookable: ['hold', 'unbookable', 'release'],
  never_paid: ['hold', 'unbookable'],
  voided: ['hold', 'release'],
  written_off: ['hold', 'release'],
};

for (const dialect of dialects()) {
  describe(`dunning does not depend on Stripe's delivery order on ${dialect}`, () => {
    const references = new Map<Ending, Outcome>();
    const tagOf = (ending: Ending) => `ord${ending.replace(/_/g, '').slice(0, 10)}`;
    async function reference(ending: Ending): Promise<Outcome> {
      if (!references.has(ending)) {
        const tag = tagOf(ending);
        references.set(ending, await run(dialect, tag, ending, (pi) => {
          const s = scenario(tag, ending, pi);
          return [...s.setup, ...[...s.stripe, ...s.ticks].sort((a, b) => a.at - b.at || (a.source === 'stripe' ? -1 : 1))];
        }));
      }
      return references.get(ending)!;
    }

    test('in time order: the steps the policy calls for (grace 7 d, unbookable after 14 d), announced past_due / restored', async () => {
      for (const ending of ENDINGS) {
        const r = await reference(ending);
        assert.deepEqual(r.steps.map((s) => s.split('|')[1]), EXPECTED_STEPS[ending], ending);
        const types = r.announcements.map((a) => a.split('|')[0]);
        const expected = EXPECTED_STEPS[ending].map((s) => (s === 'release' ? 'subscription.restored' : 'subscription.past_due'));
        assert.deepEqual(types, expected, ending);
        assert.equal(r.view.state, ending.startsWith('paid') ? 'active' : 'past_due', ending);
      }
    });

    // The case the simulation found: invoice.finalized delivered before invoice.payment_failed.
    test('finalized before payment_failed, payment_failed before finalized, paid before finalized, each twice: one outcome', async () => {
      const ending: Ending = 'paid_after_grace';
      const want = await reference(ending);
      const orders: string[][] = [
        ['invoice.finalized', 'invoice.payment_failed', 'sub.past_due', 'invoice.created'],
        ['invoice.payment_failed', 'invoice.finalized', 'sub.past_due', 'invoice.created'],
        ['sub.past_due', 'invoice.payment_failed', 'invoice.created', 'invoice.finalized'],
      ];
      for (const names of orders) {
        const tag = tagOf(ending);
        const got = await run(dialect, tag, ending, (pi) => {
          const s = scenario(tag, ending, pi);
          const byName = new Map(s.stripe.map((x) => [x.name, x]));
          const early = names.flatMap((n) => [byName.get(n)!, byName.get(n)!]);
          // the tick past the grace arrives after the failure (in time order); the payment arrives before it (the tick is late)
          const late = ['invoice.paid', 'invoice_payment.paid', 'sub.active'].map((n) => byName.get(n)!);
          return [...s.setup, ...early, s.ticks[0]!, ...late, ...late, ...s.ticks.slice(1)];
        });
        assert.deepEqual(got, want, names.join(' → '));
      }
    });

    test('property: any order of one invoice\'s events, with duplicates, ticks late or on time → the time-order outcome', async () => {
      const runs = dialect === 'sqlite' ? 14 : 4;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ENDINGS),
          fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 12, maxLength: 12 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
          async (ending, keys, copies, slots) => {
            const want = await reference(ending);
            const tag = tagOf(ending);
            const got = await run(dialect, tag, ending, (pi) => {
              const s = scenario(tag, ending, pi);
              const shuffled = s.stripe.map((x, i) => ({ x, k: keys[i]! })).sort((a, b) => a.k - b.k).map((p) => p.x);
              const withCopies = shuffled.flatMap((x, i) => Array.from({ length: 1 + (copies[i] ?? 0) }, () => x));
              return [...s.setup, ...interleave(withCopies, s.ticks, [...slots])];
            });
            assert.deepEqual(got, want);
          },
        ),
        { numRuns: runs, seed: Number(process.env.MYBNB_PROPERTY_SEED ?? 20261202) },
      );
    });
  });
}
