import { DomainError, formatIsoUtc, hashOf } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import { getBooking, stripeObjectsOfBooking, type BookingRecord } from '../../flows/booking/store.js';
import { bookingMoney } from '../../flows/booking/money-view.js';
import { currentPolicyVersion } from '../../flows/evidence/policy-versions.js';
import { decisionIdFor, decisionsOfBooking, type DecisionRecord } from '../../flows/evidence/decisions.js';
import { intentIdFor, intentsWithStatus } from '../../flows/outbox/intents.js';
import type { BookingMoney } from '../../flows/booking/money-view.js';
import { disputeResponse, EVIDENCE_DOCUMENT_FIELDS, policyVersionOf, ruleRefOf, type CancellationEvidence, type DisputeEvidenceInput, type DisputeResponse, type PolicyVersion } from '../../nora/index.js';
import { pinnedPolicy } from '../booking-facts.js';
import type { Trx } from '../context.js';
import type { DispatchEvent, HandlerState } from '../handler-shape.js';

type Obj = Record<string, unknown>;

async function evidencePolicy(db: Trx): Promise<PolicyVersion | undefined> {
  const stored = await currentPolicyVersion(db, 'dispute_evidence', 'standard');
  return stored ? policyVersionOf(stored.document) : undefined;
}

/** Stripe's dispute object translated at the edge. */
export function disputeFactsOf(dp: Obj): DisputeEvidenceInput['dispute'] | null {
  const details = (dp.evidence_details ?? {}) as Obj;
  if (typeof dp.id !== 'string' || typeof details.due_by !== 'number' || typeof dp.reason !== 'string' || typeof dp.status !== 'string') return null;
  return { id: dp.id, reason: dp.reason, status: dp.status, amount_minor: typeof dp.amount === 'number' ? dp.amount : 0, currency: String(dp.currency ?? ''), due_by: formatIsoUtc(details.due_by * 1000) };
}

/**
 * The booking's latest cancellation decision, as the evidence log holds it. The consent's own time
 * is not in the decision (its hash is, and covers it): the evidence cites the decision's time.
 */
function cancellationEvidence(decisions: DecisionRecord[]): CancellationEvidence | null {
  const d = decisions.filter((x) => x.action.startsWith('cancel_by_')).at(-1);
  if (!d) return null;
  const outcome = d.outcome as { outcome?: { refund_to_guest?: number }; executed?: boolean };
  return {
    decision_id: d.decision_id, action: d.action, actor: d.actor, rule: { policy: d.policy, version: d.policy_version, hash: d.policy_hash },
    outcome_hash: d.outcome_hash, consent_hash: d.consent_hash, consented_at: null, evaluated_at: d.evaluated_at,
    refund_to_guest_minor: outcome.outcome?.refund_to_guest ?? 0, executed: outcome.executed ?? d.allowed,
  };
}

/** What the evidence is built from: the booking, its pinned cancellation policy, its decisions and its money (from the batch state or, for the view, the database). */
type EvidenceSources = { b: BookingRecord; cancellation: PolicyVersion; decisions: DecisionRecord[]; money: BookingMoney };

function responseFor(policy: PolicyVersion, x: EvidenceSources, dispute: DisputeEvidenceInput['dispute'], at: string): DisputeResponse & { input: DisputeEvidenceInput } {
  const input = evidenceInput(x, dispute, at);
  return { ...disputeResponse(policy, input), input };
}

function evidenceInput({ b, cancellation, decisions, money }: EvidenceSources, dispute: DisputeEvidenceInput['dispute'], at: string): DisputeEvidenceInput {
  const doc = cancellation.document as { title: string; source: { wording: string; reference: string } };
  return {
    dispute, at,
    booking: { booking_id: b.booking_id, guest_id: b.guest_id, check_in: b.facts.check_in, check_out: b.facts.check_out, check_in_time: b.facts.check_in_time, time_zone: b.facts.time_zone },
    cancellation_policy: { rule: ruleRefOf(cancellation), title: doc.title, wording: doc.source.wording, reference: doc.source.reference },
    cancellation: cancellationEvidence(decisions),
    refunded_minor: money.refunded_minor,
  };
}

async function sourcesOf(db: Trx, b: BookingRecord): Promise<EvidenceSources> {
  return { b, cancellation: await pinnedPolicy(db, b.policies.cancellation), decisions: await decisionsOfBooking(db, b.booking_id), money: await bookingMoney(db, b.booking_id) };
}

/**
 * On every dispute event while evidence may be submitted: the dispute-evidence policy decides once
 * per dispute whether to contest; if so the evidence built from the log goes out through the outbox
 * (POST /v1/disputes/:id, submit) — one intent per dispute, so it is submitted once.
 */
export function contestDispute(state: HandlerState, event: DispatchEvent, b: BookingRecord, dp: Obj): void {
  const dispute = disputeFactsOf(dp);
  if (!dispute) return;
  const decision_id = decisionIdFor('stripe_dispute', dispute.id, 'dispute_contest');
  const decisions = state.decisionsOfBooking(b.booking_id);
  if (decisions.some((d) => d.decision_id === decision_id)) return; // decided once per dispute
  const ref = state.currentPolicy('dispute_evidence', 'standard');
  if (!ref) return;
  const policy = state.policy(ref);
  const r = responseFor(policy, { b, cancellation: state.policy(b.policies.cancellation), decisions, money: state.money(b.booking_id) }, dispute, event.occurred_at);
  // Not yet awaiting a response (e.g. a warning closed): decide at a later event of this dispute.
  if (r.reason === 'not_awaiting_response') return;
  const outcome = { dispute_id: dispute.id, contest: r.contest, submit_by: r.submit_by, evidence: r.evidence, submission: r.submission, evidence_hash: r.evidence_hash };
  state.effects.decision({
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'dispute_contest', actor: null,
    policy: r.rule.policy, policy_version: r.rule.version, policy_hash: r.rule.hash,
    input: r.input, allowed: r.contest, reason: r.contest ? null : r.reason,
    outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (!r.contest) return;
  state.effects.add('intents', {
    intent_id: intentIdFor('dispute_evidence', decision_id), decision_id, booking_id: b.booking_id, operation: 'dispute_evidence', inbox_id: event.id,
    params: { dispute_id: dispute.id, evidence: r.submission, documents: Object.fromEntries(EVIDENCE_DOCUMENT_FIELDS.map((f) => [f, r.evidence[f]])), submit: true, due_by: dispute.due_by },
  });
}

/** The documents uploaded as files (purpose dispute_evidence) and named by their file ids in the submission. */
function documentsOf(evidence: Record<string, string>): Record<string, string> {
  return Object.fromEntries(EVIDENCE_DOCUMENT_FIELDS.map((f) => [f, evidence[f] ?? '']));
}

/** GET /bookings/:id/dispute-evidence: per dispute, exactly what was (or would be) submitted: the text fields, and the documents uploaded as files. */
export async function disputeEvidenceView(db: Db, booking_id: string, now_iso: string) {
  const b = await getBooking(db, booking_id);
  if (!b) throw new DomainError('not_found', `booking ${booking_id} is not known`);
  const decisions = (await decisionsOfBooking(db, booking_id)).filter((d) => d.action === 'dispute_contest');
  const disputes = await stripeObjectsOfBooking(db, booking_id, 'dispute');
  const policy = await evidencePolicy(db);
  const out = [];
  for (const d of disputes) {
    const decided = decisions.find((x) => (x.outcome as { dispute_id?: string }).dispute_id === d.object_id);
    if (decided) {
      const o = decided.outcome as { contest: boolean; submit_by: string; evidence: unknown; submission: unknown; evidence_hash: string };
      const [intent] = await intentsWithStatus(db, { intent_ids: [intentIdFor('dispute_evidence', decided.decision_id)] });
      out.push({
        dispute_id: d.object_id, decided: true, contest: o.contest, reason: decided.reason, decision_id: decided.decision_id,
        rule: { policy: decided.policy, version: decided.policy_version, hash: decided.policy_hash }, submit_by: o.submit_by,
        evidence: o.evidence, submission: o.submission, documents: documentsOf(o.evidence as Record<string, string>), evidence_hash: o.evidence_hash,
        submitted: intent ? { intent_id: intent.intent_id, status: intent.status, attempts: intent.attempts.map((a) => ({ attempt: a.attempt, outcome: a.outcome, request_id: a.request_id ?? null, attempted_at: a.attempted_at, error_code: a.error_code })) } : null,
      });
      continue;
    }
    const data = d.data as { reason?: string; status?: string; amount?: number; currency?: string; due_by?: string };
    if (!policy || !data.due_by) { out.push({ dispute_id: d.object_id, decided: false, would_submit: null }); continue; }
    const r = responseFor(policy, await sourcesOf(db, b), { id: d.object_id, reason: data.reason ?? 'general', status: data.status ?? 'needs_response', amount_minor: data.amount ?? 0, currency: data.currency ?? b.currency, due_by: data.due_by }, now_iso);
    out.push({ dispute_id: d.object_id, decided: false, contest: r.contest, reason: r.contest ? null : r.reason, rule: r.rule, submit_by: r.submit_by, evidence: r.evidence, submission: r.submission, documents: documentsOf(r.evidence), evidence_hash: r.evidence_hash, submitted: null });
  }
  return { booking_id, disputes: out };
}
