import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startSidecar, type Sidecar } from '../server.js';
import { startStripeFake, type StripeFake, type FakeEvent } from '../stripe-fake/index.js';
import type { Dialect, TestDatabase } from '../testing/databases.js';
import { simDatabase } from './database.js';
import { ENGINE_KEY, testConfig, WEBHOOK_SECRET } from '../testing/harness.js';
import { postStripeWebhook, SignedClient } from '../client/signed-client.js';
import type { Config } from '../config.js';
import type { History, Step, BookingSpec } from './history.js';
import { planFaults, type FaultKind, type StepFaults } from './faults.js';
import { rng, type Rng } from './prng.js';
import { checkInvariants, type Consent } from './invariants.js';
import { openIntents } from '../flows/outbox/intents.js';

/**
 * Plays a history against the real sidecar (in-process, HTTP on 127.0.0.1) and the Stripe fake.
 * Webhooks are not sent by the fake: the driver takes each event the fake made and delivers it
 * itself, so duplicates, reordering and lateness are drawn from the seed. The outbox's background
 * loop is stopped and driven after every step with a virtual clock, so Stripe API faults are
 * retried through within the step and the order of money movements does not depend on timers.
 */
export type RunResult = { seed: number; head_hash: string; entries: number; movements: string[]; problems: string[]; steps: number; verify_ms: number };

type Pending = { event: FakeEvent; due: number; booking_id: string | null; payment: boolean };

const FIXTURES = new URL('../../../fixtures/stripe/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));

function bookingOf(event: FakeEvent): string | null {
  const o = event.data.object as { metadata?: Record<string, string>; transfer_group?: string | null };
  return o.metadata?.booking_id ?? o.transfer_group ?? null;
}

export async function runHistory(history: History, opts: { dialect: Dialect; faults: FaultKind[] }): Promise<RunResult> {
  const plan = planFaults(history, opts.faults);
  const shuffleRng = rng(history.seed, 2);
  const t: TestDatabase = await simDatabase(opts.dialect);
  const fake: StripeFake = await startStripeFake({ idTag: `s${history.seed}`, now_s: Math.floor(Date.parse('2025-02-01T00:00:00Z') / 1000) });
  const config: Config = testConfig(t, { stripeSecretKey: 'sk_test_simulation', stripeApiUrl: new URL(fake.url) });
  const start = async (): Promise<Sidecar> => {
    const s = await startSidecar(config, { logger: pino({ level: 'silent' }), outboxInterval_ms: 3_600_000, stripeTimeout_ms: 300 });
    await s.outbox!.stop();
    return s;
  };
  let sidecar = await start();
  const problems: string[] = [];
  const consents: Consent[] = [];
  const pis = new Map<string, { id: string; charge: string }>();
  let pending: Pending[] = [];
  let seen = 0;
  let offset_ms = 0;
  const engine = () => new SignedClient(sidecar.url, ENGINE_KEY);

  const collect = (stepIndex: number, f: StepFaults) => {
    const log = fake.state.events;
    for (; seen < log.length; seen++) {
      const event = log[seen]!.event;
      pending.push({ event, due: stepIndex + f.stripeDelay, booking_id: bookingOf(event), payment: /^(payment_intent|charge)\./.test(event.type) && !event.type.startsWith('charge.dispute') && !event.type.startsWith('charge.refund') });
    }
  };
  const deliver = async (which: Pending[], f: StepFaults, r: Rng) => {
    if (which.length === 0) return;
    pending = pending.filter((p) => !which.includes(p));
    const order = [...which];
    if (f.shuffle) for (let i = order.length - 1; i > 0; i--) { const j = r.int(0, i); [order[i], order[j]] = [order[j]!, order[i]!]; }
    for (const p of order) {
      for (let c = 0; c < f.stripeCopies; c++) {
        const reply = await postStripeWebhook(sidecar.url, p.event, WEBHOOK_SECRET);
        if (reply.status !== 200) problems.push(`webhook ${p.event.type} ${p.event.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
      }
    }
  };
  /** Until nothing moves: fake tasks, dispatch, outbox passes on a virtual clock past every backoff. */
  const quiet = async (stepIndex: number, f: StepFaults) => {
    carried.push(...f.api);
    for (let round = 0; round < 40; round++) {
      await fake.deliverAll();
      await sidecar.dispatcher.drain();
      // planned Stripe API faults wait for the first pass that has a refund or transfer to make
      if (carried.length > 0 && (await openIntents(sidecar.db, 100)).some((x) => x.operation !== 'balance_transaction' && x.operation !== 'reconcile_day')) {
        // at most 4 failed attempts per pass: well inside the outbox's 8 attempts, so a due refund or
        // payout must still be made (exhaustion is the policy's answer to a longer outage, not a bug)
        let budget = 4;
        injectApiFaults(carried.filter((a) => (budget -= a.kind === 'status' ? a.count : 1) >= 0));
        carried = [];
      }
      offset_ms += 61_000;
      const calls = await sidecar.outbox!.runOnce(Date.now() + offset_ms);
      await fake.deliverAll();
      collect(stepIndex, f);
      if (calls === 0 && (await sidecar.dispatcher.drain()) === 0) break;
    }
    fake.faults.clear(); // a fault whose request never came (no refund this step) ends with the step
  };
  const send = async (body: Record<string, unknown>, f: StepFaults, what: string) => {
    for (let c = 0; c < f.engineCopies; c++) {
      const r = await engine().event(body as never);
      if (r.status !== 202 && r.status !== 200) problems.push(`${what}: ${r.status} ${r.text.slice(0, 200)}`);
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

  try {
    for (let i = 0; i < history.steps.length; i++) {
      const step = history.steps[i]!;
      const f = plan.steps[i]!;
      if (f.restartBefore) {
        await sidecar.stop();
        sidecar = await start();
      }
      fake.setNow(Math.floor(Date.parse(step.at) / 1000));
      // causality the senders guarantee: the engine acts on a booking only once its payment is in; a tick sees every payment
      const concerns = 'booking_id' in step ? step.booking_id : null;
      await deliver(pending.filter((p) => p.payment && (step.kind === 'tick' || p.booking_id === concerns)), f, shuffleRng);
      await sidecar.dispatcher.drain();
      await playStep(step, i, f);
      collect(i, f);
      await deliver(pending.filter((p) => p.due <= i), f, shuffleRng);
      await quiet(i, f);
    }
    const NONE: StepFaults = { engineCopies: 1, stripeCopies: 1, stripeDelay: 0, shuffle: false, api: [], restartBefore: false };
    for (let k = 0; k < 3; k++) {
      await deliver([...pending], NONE, shuffleRng);
      await quiet(history.steps.length, NONE);
    }
    const inv = await checkInvariants(sidecar.db, fake, consents);
    return { seed: history.seed, ...inv, problems: [...problems, ...inv.problems], steps: history.steps.length };
  } finally {
    await sidecar.stop().catch(() => undefined);
    await fake.close();
    await t.drop().catch(() => undefined);
  }

  async function playStep(step: Step, i: number, f: StepFaults) {
    const id = `ev_s${history.seed}_${i}`;
    switch (step.kind) {
      case 'host':
        return send({ id, type: 'host.connected', occurred_at: step.at, data: { host_id: step.host_id, stripe_account_id: step.account } }, f, `host ${step.host_id}`);
      case 'confirm': {
        const { paid, ...data } = step.booking as BookingSpec;
        let payment_intent_id = `pi_unpaid_${data.booking_id}`;
        if (paid) {
          const pi = fake.createPayment({ amount: data.nightly_total + data.cleaning_fee + data.guest_service_fee + data.taxes, currency: 'usd', metadata: { booking_id: data.booking_id } });
          payment_intent_id = pi.id;
          pis.set(data.booking_id, { id: pi.id, charge: String(pi.latest_charge) });
        }
        return send({ id, type: 'booking.confirmed', occurred_at: step.at, data: { ...data, payment_intent_id } }, f, `confirm ${data.booking_id}`);
      }
      case 'checkin':
        return send({ id, type: 'stay.checked_in', occurred_at: step.at, data: { booking_id: step.booking_id } }, f, `checkin ${step.booking_id}`);
      case 'tick':
        return send({ id, type: 'clock.tick', occurred_at: step.at, data: {} }, f, 'tick');
      case 'cancel': {
        const preview = await engine().get(`/preview/outcome?action=cancel&booking_id=${step.booking_id}&by=${step.by}&at=${encodeURIComponent(step.at)}`);
        if (preview.status !== 200 || preview.body.allowed === false) return; // the guest saw a refusal and did not go on
        consents.push({ booking_id: step.booking_id, by: step.by, at: step.at, event_id: id, outcome_hash: preview.body.outcome_hash, outcome: preview.body.outcome });
        return send({ id, type: 'booking.cancel_requested', occurred_at: step.at, data: { booking_id: step.booking_id, by: step.by, consent: { outcome_hash: preview.body.outcome_hash, actor: step.by === 'guest' ? 'guest_sim' : 'host_sim', consented_at: step.at } } }, f, `cancel ${step.booking_id}`);
      }
      case 'dispute': {
        const pi = pis.get(step.booking_id);
        if (!pi) return;
        const names = step.outcome === 'lost' ? ['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.closed'] : ['charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated--won', 'charge.dispute.closed--won'];
        const tag = `${history.seed}x${i}`;
        for (const [k, name] of names.entries()) {
          const e = fixture(name);
          e.id = `evt_dp${tag}x${k}`;
          e.created = Math.floor(Date.parse(step.at) / 1000) + k;
          const o = e.data.object;
          o.id = `dp_${tag}`;
          o.charge = pi.charge;
          o.payment_intent = pi.id;
          o.balance_transactions = o.balance_transactions.map((b: Record<string, unknown>) => ({ ...b, id: `${String(b.id)}_${tag}`, source: o.id }));
          pending.push({ event: e, due: i + f.stripeDelay, booking_id: step.booking_id, payment: false });
        }
        return;
      }
    }
  }
}
