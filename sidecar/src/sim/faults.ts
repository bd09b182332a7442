import type { History } from './history.js';
import { rng } from './prng.js';

/**
 * The faults of one run, drawn from the seed on their own stream: the same seed gives the same
 * faults, and switching faults off leaves the history unchanged.
 */
export type FaultKind = 'duplicates' | 'reorder' | 'late' | 'stripe5xx' | 'stripe429' | 'timeouts' | 'crashAfterCommit' | 'restart' | 'kill' | 'replicas' | 'dbDrop' | 'receivers' | 'outage';
export const ALL_FAULTS: FaultKind[] = ['duplicates', 'reorder', 'late', 'stripe5xx', 'stripe429', 'timeouts', 'crashAfterCommit', 'restart', 'kill', 'replicas', 'dbDrop', 'receivers', 'outage'];

/** How the outbound receiver fails the next `count` deliveries: an error status, or the connection cut. */
export type ReceiverFault = { answer: 500 | 503 | 'down'; count: number };

export type StripeApiFault = { kind: 'status'; status: 500 | 503 | 429; count: number; path: 'refunds' | 'transfers' | 'any' } | { kind: 'timeout'; path: 'refunds' | 'transfers' | 'any' } | { kind: 'crashAfterCommit'; path: 'refunds' | 'transfers' | 'any'; count: number };

export type StepFaults = {
  /** Copies of each booking-engine event sent at this step (1 = no duplicate). */
  engineCopies: number;
  /** Copies of each Stripe delivery that becomes due (1–5). */
  stripeCopies: number;
  /** Steps the Stripe events made at this step wait before delivery (0 = on time). */
  stripeDelay: number;
  /** Shuffle the Stripe deliveries due at this step. */
  shuffle: boolean;
  /** Injected at the fake before the outbox runs after this step. */
  api: StripeApiFault[];
  /** Stop the sidecar and start a new one on the same database before this step. */
  restartBefore: boolean;
  /** Kill a replica at this statement of the step (counted from the step's start; db-tap.ts), or never. */
  killAt: number | null;
  /** Drop a database connection at this statement of the step, or never. */
  dropAt: number | null;
  /** Which replica the kill and the drop hit, and which one this step's requests go to (0 with one replica). */
  replica: 0 | 1;
  /** The outbound receiver fails this step's first deliveries. */
  receiver: ReceiverFault | null;
  /** A Stripe outage starts at this step and lasts this many steps (hours to days of event time; 0 = none). */
  outage: number;
};

/** `replicas`: how many sidecars share the database for the whole history (two: both serve, both run workers). */
export type FaultPlan = { seed: number; steps: StepFaults[]; enabled: FaultKind[]; replicas: 1 | 2 };

export const NO_FAULTS: StepFaults = { engineCopies: 1, stripeCopies: 1, stripeDelay: 0, shuffle: false, api: [], restartBefore: false, killAt: null, dropAt: null, replica: 0, receiver: null, outage: 0 };
const NONE = NO_FAULTS;

/**
 * Every draw is made whichever faults are on, and then masked: a subset of faults (`--faults kill`)
 * replays exactly the same kill, at the same statement, as the full set — so a failing seed can be
 * narrowed to the fault that matters.
 */
export function planFaults(history: History, enabled: FaultKind[]): FaultPlan {
  const r = rng(history.seed, 1);
  const on = (k: FaultKind) => enabled.includes(k);
  const draw = <T>(k: FaultKind, p: number, value: () => T, otherwise: T): T => {
    const hit = r.chance(p);
    const v = value(); // drawn either way: the stream does not depend on which faults are on
    return on(k) && hit ? v : otherwise;
  };
  const restartAt = draw('restart', 1, () => (history.steps.length > 2 ? r.int(1, history.steps.length - 1) : -1), -1);
  // The hit is kept apart from its mask: each step's replica is drawn whenever the full set would run
  // two replicas, so a subset without `replicas` (`--faults late`) keeps the full set's stream. It
  // was drawn only when two replicas were on: every later draw moved, and `--faults late` replayed
  // other delays than `--faults all` (seed 2661).
  const twoReplicasDrawn = r.chance(0.5);
  const replicas: 1 | 2 = on('replicas') && twoReplicasDrawn ? 2 : 1;
  const last = history.steps.length - 1;
  // A dispute lost while its booking's payout is held up by an outage paid the host in full (found by
  // this simulation, fixed: money-flows flow 10). Outages and disputes meet unless MYBNB_SIM_DISPUTE_OUTAGE=0.
  const outageOk = process.env.MYBNB_SIM_DISPUTE_OUTAGE !== '0' || !history.steps.some((s) => s.kind === 'dispute');
  const steps = history.steps.map((_, i): StepFaults => {
    const api: StripeApiFault[] = [];
    const path = r.pick(['refunds', 'transfers', 'any'] as const);
    const status = draw('stripe5xx', 0.3, () => ({ kind: 'status' as const, status: r.pick([500, 503] as const), count: r.int(1, 3), path }), null);
    const throttled = draw('stripe429', 0.2, () => ({ kind: 'status' as const, status: 429 as const, count: r.int(1, 2), path }), null);
    const timeout = draw('timeouts', 0.08, () => ({ kind: 'timeout' as const, path }), null);
    const crash = draw('crashAfterCommit', 0.35, () => ({ kind: 'crashAfterCommit' as const, path, count: 2 }), null);
    for (const a of [status, throttled, timeout, crash]) if (a) api.push(a);
    const f: StepFaults = {
      engineCopies: draw('duplicates', 0.3, () => r.int(2, 3), 1),
      stripeCopies: draw('duplicates', 0.4, () => r.int(2, 5), 1),
      stripeDelay: draw('late', 0.4, () => r.int(1, 3), 0),
      shuffle: draw('reorder', 0.6, () => true, false),
      api,
      restartBefore: i === restartAt,
      killAt: draw('kill', 0.15, () => r.int(1, 120), null),
      dropAt: draw('dbDrop', 0.15, () => r.int(1, 120), null),
      replica: twoReplicasDrawn && r.chance(0.5) && replicas === 2 ? 1 : 0,
      receiver: draw('receivers', 0.35, () => ({ answer: r.pick([500, 503, 'down'] as const), count: r.int(1, 3) }), null),
      // an outage ends at least two steps before the last (the final tick re-drives what it held up)
      outage: draw('outage', i < last - 2 && outageOk ? 0.1 : 0, () => Math.max(0, Math.min(r.int(1, 3), last - 2 - i)), 0),
    };
    return enabled.length === 0 ? NONE : f;
  });
  return { seed: history.seed, steps, enabled, replicas };
}
