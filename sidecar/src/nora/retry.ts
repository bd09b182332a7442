import { expectKind, type PolicyVersion } from './policy-version.js';

/**
 * Re-drive of outbound Stripe calls (issue #12), decided from plain data: which failures are tried
 * again, and when the next round of an intent is due. Times are event times (clock.tick), never
 * a wall clock.
 */

export type OutboundFailure = {
  http_status: number | null; error_code: string | null; no_answer: boolean;
  /** The transport's own verdict (Stripe-Should-Retry, status), used when the policy names neither way. */
  transport_retryable?: boolean;
};
export type FailureVerdict = { retryable: boolean; why: string };

export function classifyOutboundFailure(retry: PolicyVersion, f: OutboundFailure): FailureVerdict {
  const rules = expectKind(retry, 'retry').rules;
  const code = f.error_code ?? '';
  if (rules.terminal_codes.includes(code)) return { retryable: false, why: `${code} is terminal by policy` };
  if (rules.retryable_codes.includes(code)) return { retryable: true, why: `${code} is retryable by policy` };
  if (f.transport_retryable !== undefined) return { retryable: f.transport_retryable, why: f.transport_retryable ? 'Stripe may answer otherwise later' : `HTTP ${f.http_status ?? '-'} ${code || 'refusal'} will not change` };
  if (f.no_answer || f.http_status === null) return { retryable: true, why: 'no answer from Stripe' };
  if (f.http_status >= 500 || f.http_status === 429 || f.http_status === 409) return { retryable: true, why: `HTTP ${f.http_status}` };
  return { retryable: false, why: `HTTP ${f.http_status} ${code || 'refusal'} will not change` };
}

/** What the log says about one intent, in event time. */
export type RedriveState = {
  /** occurred_at of the event that created the intent. */
  created_at: string;
  /** Rounds the worker ended (a retryable round ran out, or a terminal answer). */
  rounds_ended: number;
  /** Rounds opened after the first (by the schedule or by money.retry_requested). */
  rounds_granted: number;
  /** When the current round began: created_at, or the occurred_at of its grant. */
  round_started_at: string;
  /** Rounds granted by the schedule since the intent was last (re-)opened. */
  scheduled_since_open: number;
  /** The last ended round's failure was terminal. */
  last_terminal: boolean;
  /** A terminal decision was already recorded for the current round. */
  terminal_recorded: boolean;
};

export type RedriveStep =
  | { action: 'wait'; due_at: string | null }
  | { action: 'grant'; round: number; lookup_first: boolean; due_at: string }
  | { action: 'terminal'; reason: 'terminal_error' | 'schedule_exhausted' };

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function nextRedrive(retry: PolicyVersion, s: RedriveState, at: string): RedriveStep {
  const rules = expectKind(retry, 'retry').rules;
  if (s.rounds_ended <= s.rounds_granted) return { action: 'wait', due_at: null }; // a round is running
  if (s.terminal_recorded) return { action: 'wait', due_at: null }; // only money.retry_requested re-opens
  if (s.last_terminal) return { action: 'terminal', reason: 'terminal_error' };
  const step = s.scheduled_since_open;
  if (step >= rules.schedule_minutes.length) return { action: 'terminal', reason: 'schedule_exhausted' };
  const due = Date.parse(s.round_started_at) + rules.schedule_minutes[step]! * MINUTE;
  if (Date.parse(at) < due) return { action: 'wait', due_at: iso(due) };
  const lookup_first = Date.parse(at) - Date.parse(s.created_at) >= rules.idempotency_key_lifetime_minutes * MINUTE;
  return { action: 'grant', round: s.rounds_granted + 1, lookup_first, due_at: iso(due) };
}

/** Whether money.retry_requested may re-open an intent that already was re-opened `reopens` times. */
export function mayReopen(retry: PolicyVersion, reopens: number): boolean {
  return reopens < expectKind(retry, 'retry').rules.max_reopens;
}
