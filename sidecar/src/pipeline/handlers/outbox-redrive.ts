import { DomainError, hashOf } from '../../kernel/index.js';
import { decisionIdFor } from '../../flows/evidence/decisions.js';
import { classifyOutboundFailure, mayReopen, nextRedrive, ruleRefOf, type PolicyVersion, type RedriveState } from '../../nora/index.js';
import type { RedriveHistory } from '../batch/redrive-load.js';
import type { DecisionHandler, DispatchEvent, HandlerState } from '../handler-shape.js';
import { announceRefundFailed } from '../announce.js';

/** The retry policy current in the log (publication order), or undefined before one is published. Not pinned: outbound calls outlive a booking's pins. */
function retryPolicy(state: HandlerState): PolicyVersion | undefined {
  const ref = state.currentPolicy('retry', 'standard');
  return ref ? state.policy(ref) : undefined;
}

/** NORA's view of one intent's re-drive history (from the log-derived rows only: replay agrees). */
export function redriveStateOf(h: RedriveHistory): RedriveState & { reopens: number } {
  const ended = h.failures.filter((f) => f.round_ended);
  const lastOpen = h.grants.map((g) => g.reason).lastIndexOf('retry_requested');
  const last = ended.at(-1);
  return {
    created_at: h.intent.created_at,
    rounds_ended: ended.length,
    rounds_granted: h.grants.length,
    round_started_at: h.grants.at(-1)?.granted_at ?? h.intent.created_at,
    scheduled_since_open: h.grants.slice(lastOpen + 1).filter((g) => g.reason === 'schedule').length,
    last_terminal: last ? !last.retryable : false,
    terminal_recorded: h.terminals.some((t) => t.round === h.grants.length),
    reopens: h.grants.filter((g) => g.reason === 'retry_requested').length,
  };
}

type AttemptFailed = { intent_id: string; attempt: number; round_ended: boolean; http_status: number | null; error_code: string | null; error_message: string | null; request_id: string | null; transport_retryable: boolean };

/** A failed outbound attempt enters the log: the retry policy classifies it, the tick decides what next. */
export const onAttemptFailed: DecisionHandler = (state, event) => {
  const a = event.payload as unknown as AttemptFailed;
  const h = state.outboxIntent(a.intent_id);
  if (!h) return { status: 'ignored', code: 'unknown_intent', reason: `no outbound intent ${a.intent_id}` };
  if (h.failures.some((f) => f.attempt === a.attempt)) return { status: 'ignored', code: 'already_recorded' };
  const policy = retryPolicy(state);
  const verdict = policy
    ? classifyOutboundFailure(policy, { http_status: a.http_status, error_code: a.error_code, no_answer: a.http_status === null, transport_retryable: a.transport_retryable })
    : { retryable: a.transport_retryable };
  state.effects.add('outboxFailures', {
    intent_id: a.intent_id, attempt: a.attempt, round_ended: a.round_ended, retryable: verdict.retryable,
    http_status: a.http_status, error_code: a.error_code, error_message: a.error_message, request_id: a.request_id,
    inbox_id: event.id, occurred_at: event.occurred_at,
  });
  return { status: 'processed' };
};

/** On each clock.tick: every intent whose round ended gets its next round when the schedule says, or a terminal decision. */
export function redriveOnTick(state: HandlerState, event: DispatchEvent): { granted: number; terminal: number; keys: string[] } {
  const out = { granted: 0, terminal: 0, keys: [] as string[] };
  const waiting = state.intentsAwaitingRedrive();
  if (waiting.length === 0) return out;
  const policy = retryPolicy(state);
  if (!policy) return out;
  for (const intent_id of waiting) {
    const h = state.outboxIntent(intent_id);
    if (!h) continue;
    const s = redriveStateOf(h);
    const step = nextRedrive(policy, s, event.occurred_at);
    if (step.action === 'wait') continue;
    if (h.intent.booking_id) out.keys.push(h.intent.booking_id);
    if (step.action === 'grant') {
      const decision_id = decisionIdFor(event.source, event.event_id, 'outbound_redrive', intent_id);
      const outcome = { intent_id, round: step.round, lookup_first: step.lookup_first, due_at: step.due_at };
      state.effects.decision({
        decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: h.intent.booking_id, action: 'outbound_redrive', actor: null,
        policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
        input: { state: s, at: event.occurred_at }, allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null,
        evaluated_at: event.occurred_at, recorded_at: event.received_at,
      });
      state.effects.add('redrives', { intent_id, round: step.round, reason: 'schedule', lookup_first: step.lookup_first, granted_at: event.occurred_at, decision_id, inbox_id: event.id });
      out.granted++;
      continue;
    }
    decideTerminal(state, event, policy, h, s.rounds_granted, step.reason);
    out.terminal++;
  }
  return out;
}

function decideTerminal(state: HandlerState, event: DispatchEvent, policy: PolicyVersion, h: RedriveHistory, round: number, reason: 'terminal_error' | 'schedule_exhausted'): void {
  const intent = h.intent;
  const last = h.failures.at(-1);
  const decision_id = decisionIdFor(event.source, event.event_id, 'outbound_terminal', intent.intent_id);
  const amount = typeof intent.params.amount === 'number' ? intent.params.amount : null;
  const currency = typeof intent.params.currency === 'string' ? intent.params.currency.toUpperCase() : null;
  const outcome = { intent_id: intent.intent_id, operation: intent.operation, round, reason, error_code: last?.error_code ?? null, amount_minor: amount, currency };
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: intent.booking_id, action: 'outbound_terminal', actor: null,
    policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
    // The evidence: every failed attempt as the log saw it, with Stripe's request ids and errors.
    input: { intent_id: intent.intent_id, decision_id: intent.decision_id, at: event.occurred_at, attempts: h.failures.map((f) => ({ attempt: f.attempt, at: f.occurred_at, http_status: f.http_status, error_code: f.error_code, request_id: f.request_id, retryable: f.retryable, round_ended: f.round_ended })) },
    allowed: true, reason, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  state.effects.add('terminals', { intent_id: intent.intent_id, round, reason, decision_id, inbox_id: event.id });
  if (!intent.booking_id) return;
  const b = state.booking(intent.booking_id);
  if (!b) return;
  if (intent.operation === 'refund' && b.state === 'refund_pending') state.effects.transition(b.booking_id, 'refund_failed', event.id, event.occurred_at);
  const flag = intent.operation === 'refund' ? 'refund_failed' : intent.operation === 'transfer' ? 'payout_failed' : `${intent.operation}_failed`;
  state.effects.add('flags', { booking_id: b.booking_id, inbox_id: event.id, code: flag, reason: `${intent.intent_id} ended (${reason}${last?.error_code ? `: ${last.error_code}` : ''}); money.retry_requested may re-open it` });
  // Announced (#15): a refund that ended for good is refund.failed, named by its intent (no Stripe refund exists).
  if (intent.operation === 'refund') {
    announceRefundFailed(state, event, b, { reversal: null, refund_id: intent.intent_id, amount_minor: amount ?? 0, failure_reason: `${reason}${last?.error_code ? `: ${last.error_code}` : ''}`, decision_id: intent.decision_id });
  }
}

/** booking-engine `money.retry_requested`: one more schedule for a terminally failed intent, as often as the policy allows. */
export const onRetryRequested: DecisionHandler = (state, event) => {
  const { intent_id } = event.payload.data as { intent_id: string };
  const h = state.outboxIntent(intent_id);
  if (!h) throw new DomainError('not_found', `no outbound intent ${intent_id}`, { field: 'data.intent_id' });
  const keys = h.intent.booking_id ? [h.intent.booking_id] : [];
  const s = redriveStateOf(h);
  if (!s.terminal_recorded) return { status: 'ignored', code: 'not_terminal', reason: `${intent_id} has not failed terminally: the retry schedule still owns it`, keys };
  const policy = retryPolicy(state);
  if (!policy) throw new DomainError('unknown_policy', 'no retry policy is published');
  const allowed = mayReopen(policy, s.reopens);
  const decision_id = decisionIdFor(event.source, event.event_id, 'outbound_reopen', intent_id);
  const round = s.rounds_granted + 1;
  // A re-opened intent asks Stripe what exists first, whatever its age: its last answer may have been lost.
  const lookup_first = true;
  const outcome = { intent_id, round, reopens_before: s.reopens, allowed };
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: h.intent.booking_id, action: 'outbound_reopen', actor: 'booking-engine',
    policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
    input: { state: s, at: event.occurred_at }, allowed, reason: allowed ? null : 'reopen_limit_reached', outcome, outcome_hash: hashOf(outcome), consent_hash: null,
    evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (!allowed) return { status: 'processed', code: 'reopen_limit_reached', reason: `${intent_id} was re-opened ${s.reopens} time(s), the retry policy allows no more`, keys };
  state.effects.add('redrives', { intent_id, round, reason: 'retry_requested', lookup_first, granted_at: event.occurred_at, decision_id, inbox_id: event.id });
  if (h.intent.booking_id && h.intent.operation === 'refund') {
    const b = state.booking(h.intent.booking_id);
    if (b?.state === 'refund_failed') state.effects.transition(b.booking_id, 'retry_refund', event.id, event.occurred_at);
  }
  return { status: 'processed', keys };
};
