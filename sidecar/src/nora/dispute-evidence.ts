import { hashOf, type Sha256Hash } from '../kernel/index.js';
import { formatMoney } from './format.js';
import { expectKind, ruleRefOf, type PolicyVersion, type RuleRef } from './policy-version.js';

/** A cancellation decision as the evidence log holds it (rule, hashes, consent). */
export type CancellationEvidence = {
  decision_id: string; action: string; actor: string | null; rule: RuleRef; outcome_hash: string; consent_hash: string | null;
  consented_at: string | null; evaluated_at: string; refund_to_guest_minor: number; executed: boolean;
};

export type DisputeEvidenceInput = {
  dispute: { id: string; reason: string; status: string; amount_minor: number; currency: string; due_by: string };
  booking: { booking_id: string; guest_id: string; check_in: string; check_out: string; check_in_time: string; time_zone: string };
  cancellation_policy: { rule: RuleRef; title: string; wording: string; reference: string };
  cancellation: CancellationEvidence | null;
  refunded_minor: number;
  at: string;
};

/** Stripe's evidence fields we fill. Text fields are sent; the document fields (Stripe file uploads) are shown, see docs/deviations.md. */
export type StripeEvidence = {
  cancellation_policy: string; cancellation_policy_disclosure: string; cancellation_rebuttal: string;
  service_date: string; customer_communication: string; refund_policy: string; uncategorized_text: string;
};
export const EVIDENCE_TEXT_FIELDS = ['cancellation_policy_disclosure', 'cancellation_rebuttal', 'service_date', 'uncategorized_text'] as const;
export const EVIDENCE_DOCUMENT_FIELDS = ['cancellation_policy', 'customer_communication', 'refund_policy'] as const;

export type DisputeResponse = {
  contest: boolean; reason: string; rule: RuleRef; submit_by: string;
  evidence: StripeEvidence;
  /** What goes to POST /v1/disputes/:id: the text fields, plus refund_policy_disclosure (Stripe's text twin of refund_policy). */
  submission: Record<string, string>;
  evidence_hash: Sha256Hash;
};

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * Whether to contest a dispute and with what: built only from the evidence log — the pinned
 * cancellation policy (id, version, hash), the cancellation decision and the guest's consent hash.
 */
export function disputeResponse(policy: PolicyVersion, x: DisputeEvidenceInput): DisputeResponse {
  const rules = expectKind(policy, 'dispute_evidence').rules;
  const submit_by = iso(Date.parse(x.dispute.due_by) - rules.submit_before_due_by_hours * HOUR);
  let reason = 'contested';
  if (!rules.contest_reasons.includes(x.dispute.reason)) reason = 'reason_not_contested';
  else if (!(rules.respond_in_statuses as string[]).includes(x.dispute.status)) reason = 'not_awaiting_response';
  else if (Date.parse(x.at) >= Date.parse(submit_by)) reason = 'too_late';
  const m = (n: number) => formatMoney(n, x.dispute.currency.toUpperCase());
  const p = x.cancellation_policy;
  const c = x.cancellation;
  const ruleText = `${p.rule.policy} version ${p.rule.version} (hash ${p.rule.hash})`;
  const evidence: StripeEvidence = {
    cancellation_policy: `${p.title} — ${ruleText}. ${p.wording} (${p.reference})`,
    cancellation_policy_disclosure: `The guest was shown the cancellation policy ${ruleText} when booking ${x.booking.booking_id}, and a preview of the exact outcome (its hash) before any cancellation; the booking is pinned to that version.`,
    cancellation_rebuttal: c
      ? `The booking was cancelled (${c.action}) under ${c.rule.policy} version ${c.rule.version}, rule hash ${c.rule.hash}, decision ${c.decision_id} at ${c.evaluated_at}. The guest${c.actor ? ` (${c.actor})` : ''} consented to the previewed outcome ${c.outcome_hash}${c.consent_hash ? ` (consent hash ${c.consent_hash}${c.consented_at ? `, ${c.consented_at}` : ''})` : ''}. The policy grants a refund of ${m(c.refund_to_guest_minor)}, which ${x.refunded_minor >= c.refund_to_guest_minor ? 'was refunded' : 'is being refunded'}; the rest is not refundable under the policy the guest accepted.`
      : `The booking was not cancelled; the stay was provided as booked under ${ruleText}.`,
    service_date: `${x.booking.check_in} to ${x.booking.check_out} (check-in ${x.booking.check_in_time}, ${x.booking.time_zone})`,
    customer_communication: c?.consent_hash ? `Consent record: ${c.actor ?? 'the guest'} accepted outcome ${c.outcome_hash} at ${c.consented_at ?? c.evaluated_at}; consent hash ${c.consent_hash}.` : 'No cancellation request was received from the guest.',
    refund_policy: `Refunds follow ${ruleText} only; refunded so far: ${m(x.refunded_minor)}.`,
    uncategorized_text: `Dispute ${x.dispute.id} (${x.dispute.reason}) on booking ${x.booking.booking_id}, guest ${x.booking.guest_id}. Every decision is recorded with its rule version and hash, its inputs and the guest's consent hash.`,
  };
  const submission: Record<string, string> = Object.fromEntries(EVIDENCE_TEXT_FIELDS.map((f) => [f, evidence[f]]));
  submission.refund_policy_disclosure = evidence.refund_policy;
  return { contest: reason === 'contested', reason, rule: ruleRefOf(policy), submit_by, evidence, submission, evidence_hash: hashOf(submission) };
}
