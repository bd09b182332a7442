import { readFileSync } from 'node:fs';
import { DAY_MS, formatIsoUtc } from '../kernel/time.js';
import { pino } from 'pino';
import { startSidecar, type Sidecar } from '../server.js';
import { startStripeFake, type StripeFake, type FakeEvent } from '../stripe-fake/index.js';
import type { Dialect, TestDatabase } from '../testing/databases.js';
import { simDatabase } from './database.js';
import { ENGINE_KEY, testConfig, WEBHOOK_SECRET } from '../testing/harness.js';
import { postStripeWebhookResending, ResendingClient } from './sender.js';
import type { Config } from '../config.js';
import type { History, Step, BookingSpec } from './history.js';
import { NO_FAULTS, planFaults, type FaultKind, type StepFaults } from './faults.js';
import { rng, type Rng } from './prng.js';
import { checkInvariants, type Consent } from './invariants.js';
import { openIntents } from '../flows/outbox/intents.js';
import { openDb } from '../db/connect.js';
import { addEndpoint } from '../flows/outbound/endpoints.js';
import { startTestReceiver } from '../flows/outbound/receiver.test-helper.js';
import { DbTap } from './db-tap.js';

/**
 * Plays a history against the real sidecar (in-process, HTTP on 127.0.0.1) and the Stripe fake.
 * Webhooks are not sent by the fake: the driver takes each event the fake made and delivers it
 * itself, so duplicates, reordering and lateness are drawn from the seed. The outbox's background
 * loop is stopped and driven after every step with a virtual clock, so Stripe API faults are
 * retried through within the step and the order of money movements does not depend on timers.
 */
export type RunResult = { seed: number; head_hash: string; entries: number; movements: string[]; owed: string[]; outbound: string[]; problems: string[]; steps: number; verify_ms: number; reconcile_ms: number; replay_ms: number; kills: number; drops: number; replicas: number };

type Replica = { sidecar: Sidecar; tap: DbTap };
/** Test-only: derives the outbound endpoints' secrets (≥ 32 characters, docs/outbound-events.md). */
const OUTBOUND_KEY = 'simulation-outbound-secrets-key-0123456789';

type Pending = { event: FakeEvent; due: number; booking_id: string | null; payment: boolean; billing?: boolean };

const FIXTURES = new URL('../../../fixtures/stripe/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));

/**
 * A subscription's Stripe Billing events are late only until the host's next subscription step
 * (the sidecar must know the subscription to preview a change) or the next tick, as payments are.
 * With MYBNB_SIM_LATE_INVOICE=1 they may be late past ticks too (docs/simulation.md).
 */
const LATE_INVOICE = process.env.MYBNB_SIM_LATE_INVOICE === '1';
const billingEvent = (type: string) => /^(customer\.subscription|invoice|invoice_payment)\./.test(type);

function bookingOf(event: FakeEvent): string | null {
  const o = event.data.object as { metadata?: Record<string, string>; transfer_group?: string | null };
  return o.metadata?.booking_id ?? o.transfer_group ?? null;
}

export async function runHistory(history: History, opts: { dialect: Dialect; faults: FaultKind[]; deep?: boolean }): Promise<RunResult> {
  const plan = planFaults(history, opts.faults);
  const shuffleRng = rng(history.seed, 2);
  const t: TestDatabase = await simDatabase(opts.dialect);
  const fake: StripeFake = await startStripeFake({ idTag: `s${history.seed}`, now_s: Math.floor(Date.parse('2025-02-01T00:00:00Z') / 1000) });
  // Every history delivers outbound events to a receiver (the example consumer), failing or not.
  const receiver = await startTestReceiver({ answer: () => receiverAnswer() });
  let receiverFault: { answer: 500 | 503 | 'down'; left: number } | null = null;
  const receiverAnswer = (): 'up' | 'down' | number => {
    if (!receiverFault || receiverFault.left <= 0) return 'up';
    receiverFault.left--;
    return receiverFault.answer;
  };
  const config: Config = testConfig(t, { stripeSecretKey: 'sk_test_simulation', stripeApiUrl: new URL(fake.url), outboundSecretsKey: OUTBOUND_KEY, development: true });
  /** A replica: its own connections (tapped for kills and drops), no background loops — the driver runs them. */
  const start = async (): Promise<Replica> => {
    const tap = new DbTap();
    const db = openDb(config.database, { onConnection: tap.tap });
    // lease ttl 0: whichever replica dispatches next takes the lease over (nothing rests on it; leasing.ts)
    const s = await startSidecar(config, { db, logger: pino({ level: 'silent' }), outboxInterval_ms: 3_600_000, outboundInterval_ms: 3_600_000, stripeTimeout_ms: 300, lease: { ttl_ms: 0, beat_ms: 0 } });
    await s.outbox!.stop();
    await s.outbound?.stop();
    await s.dispatcher.stop();
    return { sidecar: s, tap };
  };
  const replicas: Replica[] = [await start()];
  if (plan.replicas === 2) replicas.push(await start());
  const { secret } = await addEndpoint(replicas[0]!.sidecar.db, { url: receiver.url, events: ['*'], allow_private: true, secretsKey: OUTBOUND_KEY, now_iso: '2025-02-01T00:00:00Z' });
  receiver.useSecret(secret);
  const problems: string[] = [];
  const consents: Consent[] = [];
  const pis = new Map<string, { id: string; charge: string }>();
  const played = new Map<number, Record<string, unknown> | null>();
  const balances = new Map<number, { booking_id: string; amount: number }>();
  const disputes = new Map<string, string>();
  /** Each host's subscription at the fake. */
  const subscriptions = new Map<string, string>();
  let pending: Pending[] = [];
  let seen = 0;
  let offset_ms = 0;
  let outbound_offset_ms = 0;
  let outageUntil = -1;
  let kills = 0;
  let drops = 0;
  /** Where this step's requests go. */
  let target = 0;
  const front = () => replicas[Math.min(target, replicas.length - 1)]!.sidecar;
  const engine = () => new ResendingClient(front().url, ENGINE_KEY);
  /** Problems of the step's current attempt: dropped if a kill or a drop fired (the senders retry). */
  let attemptProblems: string[] = [];

  const collect = (stepIndex: number, f: StepFaults) => {
    const log = fake.state.events;
    for (; seen < log.length; seen++) {
      const event = log[seen]!.event;
      pending.push({ event, due: stepIndex + f.stripeDelay, booking_id: bookingOf(event), payment: /^(payment_intent|charge)\./.test(event.type) && !event.type.startsWith('charge.dispute') && !event.type.startsWith('charge.refund'), billing: billingEvent(event.type) });
    }
  };
  /** Delivers; an event leaves `pending` only once a copy was acknowledged (Stripe retries what was not). */
  const deliver = async (which: Pending[], f: StepFaults, r: Rng) => {
    if (which.length === 0) return;
    const order = [...which];
    if (f.shuffle) for (let i = order.length - 1; i > 0; i--) { const j = r.int(0, i); [order[i], order[j]] = [order[j]!, order[i]!]; }
    for (const p of order) {
      let acked = false;
      for (let c = 0; c < f.stripeCopies; c++) {
        const reply = await postStripeWebhookResending(front().url, p.event, WEBHOOK_SECRET);
        if (reply.status === 200) acked = true;
        else attemptProblems.push(`webhook ${p.event.type} ${p.event.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
      }
      if (acked) pending = pending.filter((x) => x !== p);
    }
  };
  /** Until nothing moves: fake tasks, dispatch, outbox and outbound passes on virtual clocks past every backoff. */
  const quiet = async (stepIndex: number, f: StepFaults) => {
    carried.push(...f.api);
    for (let round = 0; round < 60; round++) {
      await fake.deliverAll();
      for (const x of replicas) await x.sidecar.dispatcher.drain();
      // planned Stripe API faults wait for the first pass that has a refund or transfer to make
      if (stepIndex > outageUntil && carried.length > 0 && (await openIntents(front().db, 100)).some((x) => x.operation !== 'balance_transaction' && x.operation !== 'reconcile_day')) {
        // at most 4 failed attempts per pass: well inside the outbox's 8 attempts (the long outage is its own fault)
        let budget = 4;
        injectApiFaults(carried.filter((a) => (budget -= a.kind === 'status' ? a.count : 1) >= 0));
        carried = [];
      }
      offset_ms += 61_000;
      outbound_offset_ms += 3_600_000;
      let calls = 0;
      for (const x of replicas) {
        calls += await x.sidecar.outbox!.runOnce(Date.now() + offset_ms);
        calls += (await x.sidecar.outbound?.drain(Date.now() + outbound_offset_ms)) ?? 0;
      }
      await fake.deliverAll();
      collect(stepIndex, f);
      let drained = 0;
      for (const x of replicas) drained += await x.sidecar.dispatcher.drain();
      if (calls === 0 && drained === 0) break;
    }
    fake.faults.clear(); // a fault whose request never came (no refund this step) ends with the step
  };
  const send = async (body: Record<string, unknown>, f: StepFaults, what: string) => {
    for (let c = 0; c < f.engineCopies; c++) {
      const r = await engine().event(body as never);
      if (r.status !== 202 && r.status !== 200) attemptProblems.push(`${what}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  let carried: StepFaults['api'] = [];
  const injectApiFaults = (faults: StepFaults['api']) => {
    for (const a of faults) {
      const path = /^\/v1\/(refunds|transfers)/;
      if (a.kind === 'status') fake.faults.next({ status: a.status, path, count: a.count, method: 'POST' });
      else if (a.kind === 'timeout') fake.faults.timeout({ path, method: 'POST', delay_ms: 1000 });
      else fake.faults.crashAfterCommit({ path, count: a.count, method: 'POST' });
    }
  };
  /** One step as the senders see it: what was not acknowledged is sent again after a kill or a drop. */
  const runStep = async (i: number, step: Step | null, f: StepFaults) => {
    for (let attempt = 0; ; attempt++) {
      attemptProblems = [];
      const hit = replicas[Math.min(f.replica, replicas.length - 1)]!.tap;
      for (const x of replicas) x.tap.fired.drop = 0;
      const fired = () => replicas.some((x) => x.tap.killed || x.tap.fired.drop > 0);
      if (attempt === 0) {
        hit.armKill(f.killAt);
        hit.armDrop(f.dropAt);
      }
      let failure: unknown = null;
      try {
        if (i <= outageUntil) fake.faults.outage({ status: 503, path: /^\/v1\/(refunds|transfers)/, method: 'POST' });
        if (step) {
          // causality the senders guarantee: the engine acts on a booking only once its payment is in; a tick sees every payment
          const concerns = 'booking_id' in step ? step.booking_id : null;
          const billingDue = step.kind === 'subscription' || (step.kind === 'tick' && !LATE_INVOICE);
          await deliver(pending.filter((p) => (p.payment && (step.kind === 'tick' || p.booking_id === concerns)) || (p.billing && billingDue)), f, shuffleRng);
          for (const x of replicas) await x.sidecar.dispatcher.drain();
          await playStep(step, i, f);
          collect(i, f);
          await deliver(pending.filter((p) => p.due <= i), f, shuffleRng);
        } else {
          await deliver([...pending], f, shuffleRng);
        }
        await quiet(i, f);
      } catch (e) {
        failure = e;
      }
      hit.armKill(null);
      hit.armDrop(null);
      const wasFault = fired();
      if (!wasFault) {
        if (failure) throw failure;
        problems.push(...attemptProblems);
        return;
      }
      fake.faults.clear();
      if (attempt >= 4) throw new Error(`step ${i} did not complete after ${attempt + 1} attempts: ${String(failure)}`);
      drops += replicas.reduce((n, x) => n + x.tap.fired.drop, 0);
      for (let k = 0; k < replicas.length; k++) {
        if (!replicas[k]!.tap.killed) continue;
        kills++;
        await replicas[k]!.sidecar.stop().catch(() => undefined);
        replicas[k] = await start();
      }
    }
  };

  try {
    for (let i = 0; i < history.steps.length; i++) {
      const step = history.steps[i]!;
      const f = plan.steps[i]!;
      if (f.restartBefore) {
        await replicas[0]!.sidecar.stop();
        replicas[0] = await start();
      }
      if (f.outage > 0) outageUntil = Math.max(outageUntil, i + f.outage - 1);
      if (f.receiver) receiverFault = { answer: f.receiver.answer, left: f.receiver.count };
      target = f.replica;
      fake.setNow(Math.floor(Date.parse(step.at) / 1000));
      await runStep(i, step, f);
    }
    target = 0;
    receiverFault = null;
    for (let k = 0; k < 3; k++) await runStep(history.steps.length + k, null, NO_FAULTS);
    // the clock goes on after the history: one more tick, once every late delivery is in (a hold
    // lifted by a late account.updated is released, a held-up round re-driven) — in both runs
    const lastAt = Math.max(...history.steps.map((s) => Date.parse(s.at)));
    const settle_at = formatIsoUtc(Math.ceil((lastAt + 31 * DAY_MS) / 1000) * 1000);
    fake.setNow(Math.floor(Date.parse(settle_at) / 1000));
    played.set(history.steps.length + 3, { id: `ev_s${history.seed}_settle`, type: 'clock.tick', occurred_at: settle_at, data: {} });
    await runStep(history.steps.length + 3, { kind: 'tick', at: settle_at }, NO_FAULTS);
    // what the retry policy ended for good after a long outage, the booking engine asks again (money.retry_requested)
    await retryTerminal(history.steps.length + 4);
    // a balance due the guest agreed to pay and the driver never paid is the driver's bug, not the sidecar's
    for (const [step, b] of balances) problems.push(`driver: the balance due of ${b.booking_id} (${b.amount}, step ${step}) was never paid`);
    const inv = await checkInvariants(front().db, fake, consents, receiver.consumer, { dialect: opts.dialect, deep: opts.deep ?? true, period: { from: '2025-02-01T00:00:00Z', to: formatIsoUtc(Math.ceil((lastAt + 33 * DAY_MS) / DAY_MS) * DAY_MS) } });
    return { seed: history.seed, ...inv, problems: [...problems, ...inv.problems], steps: history.steps.length, kills, drops, replicas: plan.replicas };
  } finally {
    for (const x of replicas) await x.sidecar.stop().catch(() => undefined);
    await fake.close();
    await receiver.close();
    await t.drop().catch(() => undefined);
  }

  async function retryTerminal(i: number) {
    const terminal = (await front().db('outbox_terminals').select('intent_id')) as Array<{ intent_id: string }>;
    const reopened = new Set(((await front().db('outbox_redrives').where('reason', 'retry_requested').select('intent_id').catch(() => [])) as Array<{ intent_id: string }>).map((r) => r.intent_id));
    // money only: the booking engine asks again for refunds and payouts (GET /outbox lists the rest for the operator)
    const todo = [...new Set(terminal.map((x) => x.intent_id))].filter((id) => !reopened.has(id) && /^mybnb:(refund|transfer|transfer_reversal):/.test(id));
    if (todo.length === 0) return;
    const at = formatIsoUtc(Math.max(...history.steps.map((s) => Date.parse(s.at))) + 31 * DAY_MS + 60_000);
    for (const [k, intent_id] of todo.entries()) {
      const r = await engine().event({ id: `ev_s${history.seed}_retry_${k}`, type: 'money.retry_requested', occurred_at: at, data: { intent_id } } as never);
      if (r.status !== 202 && r.status !== 200) problems.push(`retry ${intent_id}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    await runStep(i, null, NO_FAULTS);
  }

  /** Sent again after a kill or a drop: the same event (same id, same consent), never a second payment. */
  async function playStep(step: Step, i: number, f: StepFaults) {
    const id = `ev_s${history.seed}_${i}`;
    if (played.has(i)) {
      const body = played.get(i);
      if (body) await send(body, f, `${step.kind} (again)`);
    } else {
      const body = await eventOf(step, i, id, f);
      played.set(i, body);
      if (body) await send(body, f, `${step.kind} ${'booking_id' in step ? step.booking_id : ''}`);
    }
    // The guest pays a balance due once, after the change is in. Forgotten only once paid: a kill or
    // a drop in the drain left the guest's payment unmade on the retry (seeds 38, 41 with dearer
    // stays: the balance payment, its fee and its share of the payout missing from the faulty run).
    const balance = balances.get(i);
    if (balance) {
      await front().dispatcher.drain(); // the change is in before the guest pays its balance
      fake.createPayment({ amount: balance.amount, currency: 'usd', metadata: { booking_id: balance.booking_id } });
      balances.delete(i);
    }
  }

  /** A subscription step: an action at the fake (its events delivered as Stripe's), or a request with consent to its preview. */
  async function subscriptionEvent(step: Extract<Step, { kind: 'subscription' }>, id: string): Promise<Record<string, unknown> | null> {
    const a = step.action;
    const sub_id = subscriptions.get(step.host_id);
    const sub = sub_id ? fake.billing.subscriptions.get(sub_id) : undefined;
    switch (a.do) {
      case 'subscribe':
        subscriptions.set(step.host_id, fake.billing.createSubscription({ customer: `cus_${step.host_id}`, price: a.price, metadata: { host_id: step.host_id, subscription_policy: a.policy } }).id);
        return null;
      case 'renew':
        if (!sub || sub.status === 'canceled') return null;
        if (a.declined && !sub.cancel_at_period_end) fake.billing.failNextInvoicePayments(1);
        fake.billing.renew(sub.id);
        return null;
      case 'retry':
        // the open invoices, oldest first (an offset may have paid them out of band already)
        for (const inv of [...fake.billing.invoices.values()]) if (sub && inv.status === 'open' && inv.parent?.subscription_details?.subscription === sub.id) fake.billing.retry(inv.id);
        return null;
      case 'change_plan':
      case 'cancel': {
        if (!sub || sub.status === 'canceled') return null;
        const q = a.do === 'change_plan' ? `action=change_plan&price=${a.price}` : 'action=cancel_subscription';
        const preview = await engine().get(`/preview/outcome?${q}&host_id=${step.host_id}&at=${encodeURIComponent(step.at)}`);
        if (preview.status >= 500) throw new Error(`preview ${preview.status}: ${preview.text.slice(0, 200)}`);
        if (preview.status !== 200 || preview.body.allowed === false) return null; // refused (past due, same price): the host does not go on
        const consent = { outcome_hash: preview.body.outcome_hash, actor: step.host_id, consented_at: step.at };
        return a.do === 'change_plan'
          ? { id, type: 'subscription.change_requested', occurred_at: step.at, data: { host_id: step.host_id, price: a.price, consent } }
          : { id, type: 'subscription.cancel_requested', occurred_at: step.at, data: { host_id: step.host_id, consent } };
      }
    }
  }

  /** The booking engine's event for a step (null: nothing to send). */
  async function eventOf(step: Step, i: number, id: string, f: StepFaults): Promise<Record<string, unknown> | null> {
    switch (step.kind) {
      case 'host':
        return { id, type: 'host.connected', occurred_at: step.at, data: { host_id: step.host_id, stripe_account_id: step.account } };
      case 'confirm': {
        const { paid, ...data } = step.booking as BookingSpec;
        let payment_intent_id = `pi_unpaid_${data.booking_id}`;
        if (paid) {
          const pi = fake.createPayment({ amount: data.nightly_total + data.cleaning_fee + data.guest_service_fee + data.taxes, currency: 'usd', metadata: { booking_id: data.booking_id } });
          payment_intent_id = pi.id;
          pis.set(data.booking_id, { id: pi.id, charge: String(pi.latest_charge) });
        }
        return { id, type: 'booking.confirmed', occurred_at: step.at, data: { ...data, payment_intent_id } };
      }
      case 'checkin':
        return { id, type: 'stay.checked_in', occurred_at: step.at, data: { booking_id: step.booking_id } };
      case 'tick':
        return { id, type: 'clock.tick', occurred_at: step.at, data: {} };
      case 'cancel': {
        const preview = await engine().get(`/preview/outcome?action=cancel&booking_id=${step.booking_id}&by=${step.by}&at=${encodeURIComponent(step.at)}`);
        // a 5xx (a killed replica, a dropped connection) is no answer: the guest asks again
        if (preview.status >= 500) throw new Error(`preview ${preview.status}: ${preview.text.slice(0, 200)}`);
        if (preview.status !== 200 || preview.body.allowed === false) return null; // the guest saw a refusal and did not go on
        consents.push({ booking_id: step.booking_id, by: step.by, at: step.at, event_id: id, outcome_hash: preview.body.outcome_hash, outcome: preview.body.outcome });
        return { id, type: 'booking.cancel_requested', occurred_at: step.at, data: { booking_id: step.booking_id, by: step.by, consent: { outcome_hash: preview.body.outcome_hash, actor: step.by === 'guest' ? 'guest_sim' : 'host_sim', consented_at: step.at } } };
      }
      case 'modify': {
        const q = `nightly_total=${step.nightly_total}${step.check_out ? `&check_out=${step.check_out}` : ''}`;
        const preview = await engine().get(`/preview/outcome?action=modify&booking_id=${step.booking_id}&by=guest&at=${encodeURIComponent(step.at)}&${q}`);
        if (preview.status >= 500) throw new Error(`preview ${preview.status}: ${preview.text.slice(0, 200)}`);
        if (preview.status !== 200 || preview.body.allowed === false) return null;
        consents.push({ kind: 'modify', booking_id: step.booking_id, by: 'guest', at: step.at, event_id: id, outcome_hash: preview.body.outcome_hash, outcome: preview.body.outcome });
        // the guest pays a balance due once the change is accepted (a payment with the booking's id, exactly that amount)
        if (Number(preview.body.outcome.balance_due) > 0) balances.set(i, { booking_id: step.booking_id, amount: Number(preview.body.outcome.balance_due) });
        return { id, type: 'booking.modified', occurred_at: step.at, data: { booking_id: step.booking_id, nightly_total: step.nightly_total, ...(step.check_out ? { check_out: step.check_out } : {}), consent: { outcome_hash: preview.body.outcome_hash, actor: 'guest_sim', consented_at: step.at } } };
      }
      case 'complete':
        return { id, type: 'stay.completed', occurred_at: step.at, data: { booking_id: step.booking_id } };
      case 'account': {
        const e = fixture('account.updated');
        e.id = `evt_acct${history.seed}x${i}`;
        e.created = Math.floor(Date.parse(step.at) / 1000);
        e.account = step.account;
        const o = e.data.object;
        o.id = step.account;
        o.email = null;
        o.capabilities = { ...o.capabilities, transfers: step.restricted ? 'inactive' : 'active' };
        o.payouts_enabled = !step.restricted;
        o.requirements = { ...o.requirements, disabled_reason: step.restricted ? 'requirements.past_due' : null, currently_due: step.restricted ? o.requirements.currently_due : [], eventually_due: [] };
        pending.push({ event: e, due: i + f.stripeDelay, booking_id: null, payment: false });
        return null;
      }
      case 'dispute': {
        // the card network opens a dispute at the fake (its balance transaction, its evidence endpoint)
        const pi = pis.get(step.booking_id);
        if (!pi) return null;
        // Stripe's dispute fee (the fake's default, 15.00) included: reconcile matches by net (a finding fixed).
        disputes.set(step.booking_id, fake.disputes.open(pi.charge).id);
        return null;
      }
      case 'dispute_close': {
        const dp = disputes.get(step.booking_id);
        if (dp) fake.disputes.close(dp, step.outcome);
        return null;
      }
      case 'subscription':
        return subscriptionEvent(step, id);
    }
  }
}
