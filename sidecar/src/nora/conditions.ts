import type { Condition } from './schema.js';
import type { Timeline } from './facts.js';
import { durationMs } from './format.js';

/**
 * Every condition is of the form `at ≤ edge` (or a fact that does not depend on `at`), so the
 * instant of the edge itself still belongs to the earlier, more generous state.
 */
export function conditionHolds(c: Condition, t: Timeline, at_ms: number): boolean {
  if (c.min_before_check_in && !(at_ms <= t.check_in_ms - durationMs(c.min_before_check_in))) return false;
  if (c.max_after_confirmation && !(at_ms <= t.confirmed_ms + durationMs(c.max_after_confirmation))) return false;
  if (c.confirmed_min_before_check_in && !(t.confirmed_ms <= t.check_in_ms - durationMs(c.confirmed_min_before_check_in))) return false;
  return true;
}

/** The instants after which this condition's truth may change. */
export function conditionEdges(c: Condition, t: Timeline): number[] {
  const edges: number[] = [];
  if (c.min_before_check_in) edges.push(t.check_in_ms - durationMs(c.min_before_check_in));
  if (c.max_after_confirmation) edges.push(t.confirmed_ms + durationMs(c.max_after_confirmation));
  return edges;
}
