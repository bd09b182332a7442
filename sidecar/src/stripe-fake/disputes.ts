/**
 * Card disputes in the fake (issue #12): a test opens one on a charge (as the card network would),
 * the fake withdraws the amount and fee and sends `charge.dispute.created`; `POST /v1/disputes/:id`
 * takes evidence (and `submit`), counts submissions and sends `charge.dispute.updated`; the test
 * closes it won or lost. Kept apart from model.ts so other work on the fake merges cleanly.
 */
import type Stripe from 'stripe';
import { invalidRequest, noSuchObject } from './errors.js';
import type { FormObject } from './form.js';
import type { FakeClock, IdSequence } from './ids.js';
import type { EmitFn, FakeStripeModel, RequestContext } from './model.js';
import { buildBalanceTransaction, snapshot } from './objects.js';
import { onlyKnown } from './params.js';

const NO_REQUEST: RequestContext = { request_id: null, idempotency_key: null, account: null };
const EVIDENCE_FIELDS = ['access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal', 'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature', 'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt', 'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation', 'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number', 'uncategorized_file', 'uncategorized_text'];

/** The evidence fields Stripe takes as file ids. */
const FILE_FIELDS = ['cancellation_policy', 'customer_communication', 'customer_signature', 'duplicate_charge_documentation', 'receipt', 'refund_policy', 'service_documentation', 'shipping_documentation', 'uncategorized_file'];

export type FakeDispute = {
  id: string; object: 'dispute'; amount: number; currency: string; charge: string; payment_intent: string | null; created: number;
  reason: string; status: string; livemode: false; metadata: Record<string, string>; is_charge_refundable: false;
  evidence: Record<string, string | null>;
  evidence_details: { due_by: number; has_evidence: boolean; past_due: boolean; submission_count: number };
  balance_transactions: Stripe.BalanceTransaction[];
  /** Every evidence update received (what was sent, and whether it was submitted): for tests. */
  updates: Array<{ evidence: Record<string, string>; submit: boolean }>;
};

export class FakeDisputes {
  readonly all = new Map<string, FakeDispute>();
  constructor(private readonly model: FakeStripeModel, private readonly ids: IdSequence, private readonly clock: FakeClock, private readonly emit: EmitFn, private readonly isEvidenceFile: (id: string) => boolean = () => false) {}

  /** The card network opens a dispute on a charge: evidence is due `due_in_s` later (default 7 days). */
  open(charge_id: string, p: { reason?: string; amount?: number; fee?: number; due_in_s?: number } = {}): FakeDispute {
    const ch = this.model.charge(charge_id);
    const created = this.clock.tick();
    const amount = p.amount ?? ch.amount;
    const id = this.ids.next('dp');
    const txnId = this.ids.next('txn');
    const txn = buildBalanceTransaction({ id: txnId, amount: -amount, fee: p.fee ?? 1500, currency: ch.currency, created, source: id, type: 'adjustment', reporting_category: 'dispute', description: `Chargeback withdrawal for ${ch.id}`, status: 'available' });
    // Stripe names the fee on a dispute's balance transaction a dispute fee, not a processing fee.
    txn.fee_details = txn.fee_details.map((f) => ({ ...f, description: 'Dispute fee' }));
    this.model.state.balanceTransactions.set(txnId, txn);
    const dp: FakeDispute = {
      id, object: 'dispute', amount, currency: ch.currency, charge: ch.id, payment_intent: typeof ch.payment_intent === 'string' ? ch.payment_intent : null, created,
      reason: p.reason ?? 'fraudulent', status: 'needs_response', livemode: false, metadata: {}, is_charge_refundable: false,
      evidence: Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, null])),
      evidence_details: { due_by: created + (p.due_in_s ?? 7 * 86_400), has_evidence: false, past_due: false, submission_count: 0 },
      balance_transactions: [txn], updates: [],
    };
    this.all.set(id, dp);
    this.emit('charge.dispute.created', this.view(dp), NO_REQUEST);
    this.emit('charge.dispute.funds_withdrawn', this.view(dp), NO_REQUEST);
    return snapshot(dp);
  }

  /** POST /v1/disputes/:id — evidence[...] and submit, as Stripe takes them. */
  update(id: string, params: FormObject, ctx: RequestContext): unknown {
    const dp = this.all.get(id);
    if (!dp) throw noSuchObject('dispute', id);
    onlyKnown(params, ['evidence', 'submit', 'metadata']);
    if (dp.status !== 'needs_response' && dp.status !== 'warning_needs_response') throw invalidRequest(`This dispute is ${dp.status} and can no longer be updated.`, 'dispute_already_submitted');
    const evidence = (params.evidence ?? {}) as Record<string, string>;
    for (const k of Object.keys(evidence)) if (!EVIDENCE_FIELDS.includes(k)) throw invalidRequest(`Received unknown parameter: evidence[${k}]`, 'parameter_unknown', `evidence[${k}]`);
    // Stripe's document fields take the id of a file uploaded with purpose dispute_evidence, not text.
    for (const k of FILE_FIELDS) {
      if (evidence[k] !== undefined && !this.isEvidenceFile(evidence[k])) throw invalidRequest(`evidence[${k}] must be the id of a file uploaded with purpose dispute_evidence (POST /v1/files)`, 'parameter_invalid_string', `evidence[${k}]`);
    }
    const submit = params.submit === 'true';
    if (submit && this.clock.now() > dp.evidence_details.due_by) throw invalidRequest('The evidence is past due.', 'dispute_past_due');
    Object.assign(dp.evidence, evidence);
    dp.updates.push({ evidence, submit });
    dp.evidence_details.has_evidence = Object.values(dp.evidence).some((v) => v !== null);
    if (submit) {
      dp.evidence_details.submission_count += 1;
      dp.status = dp.status === 'warning_needs_response' ? 'warning_under_review' : 'under_review';
    }
    this.clock.tick();
    this.emit('charge.dispute.updated', this.view(dp), ctx);
    return this.view(dp);
  }

  close(id: string, status: 'won' | 'lost'): void {
    const dp = this.all.get(id);
    if (!dp) throw noSuchObject('dispute', id);
    dp.status = status;
    this.clock.tick();
    this.emit('charge.dispute.closed', this.view(dp), NO_REQUEST);
  }

  /** The dispute as Stripe shows it (without the test-only update log). */
  view(dp: FakeDispute): unknown {
    const { updates: _u, ...rest } = dp;
    return snapshot(rest);
  }
}
