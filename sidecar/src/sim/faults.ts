import type { History } from './history.js';
import { rng } from './prng.js';

/**
 * The faults of one run, drawn from the seed on their own stream: the same seed gives the same
 * faults, and switching faults off leaves the history unchanged.
 */
export type FaultKind = 'duplicates' | 'reorder' | 'late' | 'stripe5xx' | 'stripe429' | 'timeouts' | 'crashAfterCommit' | 'restart';
export const ALL_FAULTS: FaultKind[] = ['duplicates', 'reorder', 'late', 'stripe5xx', 'stripe429', 'timeouts', 'crashAfterCommit', 'restart'];

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
};

export type FaultPlan = { seed: number; steps: StepFaults[]; enabled: FaultKind[] };

const NONE: StepFaults = { engineCopies: 1, stripeCopies: 1, stripeDelay: 0, shuffle: false, api: [], restartBefore: false };

export function planFaults(history: History, enabled: FaultKind[]): FaultPlan {
  const r = rng(history.seed, 1);
  const on = (k: FaultKind) => enabled.includes(k);
  const restartAt = on('restart') && history.steps.length > 2 ? r.int(1, history.steps.length - 1) : -1;
  const steps = history.steps.map((_, i): StepFaults => {
    if (enabled.length === 0) return NONE;
    const api: StripeApiFault[] = [];
    const path = r.pick(['refunds', 'transfers', 'any'] as const);
    if (on('stripe5xx') && r.chance(0.3)) api.push({ kind: 'status', status: r.pick([500, 503] as const), count: r.int(1, 3), path });
    if (on('stripe429') && r.chance(0.2)) api.push({ kind: 'status', status: 429, count: r.int(1, 2), path });
    if (on('timeouts') && r.chance(0.08)) api.push({ kind: 'timeout', path });
    if (on('crashAfterCommit') && r.chance(0.35)) api.push({ kind: 'crashAfterCommit', path, count: 2 });
    return {
      engineCopies: on('duplicates') && r.chance(0.3) ? r.int(2, 3) : 1,
      stripeCopies: on('duplicates') && r.chance(0.4) ? r.int(2, 5) : 1,
      stripeDelay: on('late') && r.chance(0.4) ? r.int(1, 3) : 0,
      shuffle: on('reorder') && r.chance(0.6),
      api,
      restartBefore: i === restartAt,
    };
  });
  return { seed: history.seed, steps, enabled };
}
