import { DomainError, hashOf } from '../../kernel/index.js';
import { currentPolicyVersion } from '../../flows/evidence/policy-versions.js';
import { decisionIdFor, recordDecision } from '../../flows/evidence/decisions.js';
import { flagBooking, getBooking, transition } from '../../flows/booking/store.js';
import { intentsWithStatus } from '../../flows/outbox/intents.js';
import { addRedrive, addTerminal, failuresOf, intentsAwaitingRedrive, recordFailure, redriveState } from '../../flows/outbox/redrive-store.js';
import { announceTerminalFailure } from '../../flows/outbox/announce.js';
import { classifyOutboundFailure, mayReopen, nextRedrive, policyVersionOf, ruleRefOf, type PolicyVersion } from '../../nora/index.js';
import type { HandlerContext, HandlerResult, Trx } from '../context.js';

/** The retry policy current in the log (publication order), or undefined before one is published. */
async function retryPolicy(db: Trx): Promise<PolicyVersion | undefined> {
  const stored = await currentPolicyVersion(db, 'retry', 'standard');
  return stored ? policyVersionOf(stored.document) : undefined;
}

type AttemptFailed = { intent_id: string; attempt: number; round_ended: boolean; http_status: number | null; error_code: string | null; error_message: string | null; request_id: string | null; transport_retryable: boolean };

/** A failed outbound attempt enters the log: the retry policy classifies it, the tick decides what next. */
export async function onAttemptFailed({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const a = payload as unknown as AttemptFailed;
  const policy = await retryPolicy(db);
  const verdict = policy
    ? classifyOutboundFailure(policy, { http_status: a.http_status, error_code: a.error_code, no_answer: a.http_status === null, transport_retryable: a.transport_retryable })
    : { retryable: a.transport_retryable };
  const added = await recordFailure(db, {
    intent_id: a.intent_id, attempt: a.attempt, round_ended: a.round_ended, retryable: verdict.retryable,
    http_status: a.http_status, error_code: a.error_code, error_message: a.error_message, request_id: a.request_id,
    inbox_id: event.id, occurred_at: event.occurred_at,
  });
  return added ? { status: 'processed' } : { status: 'ignored', code: 'already_recorded' };
}

/** On each clock.tick: every intent whose round ended gets its next round when the schedule says, or a terminal decision. */
export async function redriveOnTick({ db, event }: HandlerContext): Promise<{ granted: number; terminal: number; keys: string[] }> {
  const out = { granted: 0, terminal: 0, keys: [] as string[] };
  const waiting = await intentsAwaitingRedrive(db);
  if (waiting.length === 0) return out;
  const policy = await retryPolicy(db);
  if (!policy) return out;
  for (const intent_id of waiting) {
    const s = await redriveState(db, intent_id);
    const step = nextRedrive(policy, s, event.occurred_at);
    if (step.action === 'wait') continue;
    const [intent] = await intentsWithStatus(db, { intent_ids: [intent_id] });
    if (!intent) continue;
    if (intent.booking_id) out.keys.push(intent.booking_id);
    if (step.action === 'grant') {
      const decision_id = decisionIdFor(event.source, event.event_id, 'outbound_redrive', intent_id);
      const outcome = { intent_id, round: step.round, lookup_first: step.lookup_first, due_at: step.due_at };
      await recordDecision(db, {
        decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: intent.booking_id, action: 'outbound_redrive', actor: null,
        policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
        input: { state: s, at: event.occurred_at }, allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null,
        evaluated_at: event.occurred_at, recorded_at: event.received_at,
      });
      await addRedrive(db, { intent_id, round: step.round, reason: 'schedule', lookup_first: step.lookup_first, granted_at: event.occurred_at, decision_id, inbox_id: event.id });
      out.granted++;
      continue;
    }
    await decideTerminal(db, event, policy, intent, s.rounds_granted, step.reason);
    out.terminal++;
  }
  return out;
}

async function decideTerminal(db: Trx, event: HandlerContext['event'], policy: PolicyVersion, intent: Awaited<ReturnType<typeof intentsWithStatus>>[number], round: number, reason: 'terminal_error' | 'schedule_exhausted'): Promise<void> {
  const failures = await failuresOf(db, intent.intent_id);
  const last = failures.at(-1);
  const decision_id = decisionIdFor(event.source, event.event_id, 'outbound_terminal', intent.intent_id);
  const amount = typeof intent.params.amount === 'number' ? intent.params.amount : null;
  const currency = typeof intent.params.currency === 'string' ? intent.params.currency.toUpperCase() : null;
  const outcome = { intent_id: intent.intent_id, operation: intent.operation, round, reason, error_code: last?.error_code ?? null, amount_minor: amount, currency };
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: intent.booking_id, action: 'outbound_terminal', actor: null,
    policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
    // The evidence: every failed attempt as the log saw it, with Stripe's request ids and errors.
    input: { intent_id: intent.intent_id, decision_id: intent.decision_id, at: event.occurred_at, attempts: failures.map((f) => ({ attempt: f.attempt, at: f.occurred_at, http_status: f.http_status, error_code: f.error_code, request_id: f.request_id, retryable: f.retryable, round_ended: f.round_ended })) },
    allowed: true, reason, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  await addTerminal(db, { intent_id: intent.intent_id, round, reason, decision_id, inbox_id: event.id });
  if (intent.booking_id) {
    const b = await getBooking(db, intent.booking_id);
    if (b && intent.operation === 'refund' && b.state === 'refund_pending') await transition(db, b, 'refund_failed', event.id, event.occurred_at);
    const flag = intent.operation === 'refund' ? 'refund_failed' : intent.operation === 'transfer' ? 'payout_failed' : `${intent.operation}_failed`;
    await flagBooking(db, intent.booking_id, event.id, flag, `${intent.intent_id} ended (${reason}${last?.error_code ? `: ${last.error_code}` : ''}); money.retry_requested may re-open it`);
  }
  await announceTerminalFailure(db, { intent_id: intent.intent_id, operation: intent.operation, booking_id: intent.booking_id, decision_id, reason, error_code: last?.error_code ?? null, amount_minor: amount, currency, occurred_at: event.occurred_at });
}

/** booking-engine `money.retry_requested`: one more schedule for a terminally failed intent, as often as the policy allows. */
export async function onRetryRequested({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const { intent_id } = (payload.data as { intent_id: string });
  const [intent] = await intentsWithStatus(db, { intent_ids: [intent_id] });
  if (!intent) throw new DomainError('not_found', `no outbound intent ${intent_id}`, { field: 'data.intent_id' });
  const keys = intent.booking_id ? [intent.booking_id] : [];
  const s = await redriveState(db, intent_id);
  if (!s.terminal_recorded) return { status: 'ignored', code: 'not_terminal', reason: `${intent_id} has not failed terminally: the retry schedule still owns it`, keys };
  const policy = await retryPolicy(db);
  if (!policy) throw new DomainError('unknown_policy', 'no retry policy is published');
  const allowed = mayReopen(policy, s.reopens);
  const decision_id = decisionIdFor(event.source, event.event_id, 'outbound_reopen', intent_id);
  const round = s.rounds_granted + 1;
  // A re-opened intent asks Stripe what exists first, whatever its age: its last answer may have been lost.
  const lookup_first = true;
  const outcome = { intent_id, round, reopens_before: s.reopens, allowed };
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: intent.booking_id, action: 'outbound_reopen', actor: 'booking-engine',
    policy: ruleRefOf(policy).policy, policy_version: policy.version, policy_hash: policy.hash,
    input: { state: s, at: event.occurred_at }, allowed, reason: allowed ? null : 'reopen_limit_reached', outcome, outcome_hash: hashOf(outcome), consent_hash: null,
    evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (!allowed) return { status: 'processed', code: 'reopen_limit_reached', reason: `${intent_id} was re-opened ${s.reopens} time(s), the retry policy allows no more`, keys };
  await addRedrive(db, { intent_id, round, reason: 'retry_requested', lookup_first, granted_at: event.occurred_at, decision_id, inbox_id: event.id });
  if (intent.booking_id && intent.operation === 'refund') {
    const b = await getBooking(db, intent.booking_id);
    if (b?.state === 'refund_failed') await transition(db, b, 'retry_refund', event.id, event.occurred_at);
  }
  return { status: 'processed', keys };
}
