/**
 * The fake's Stripe account: the objects it holds and the operations the sidecar calls, each
 * changing state the way Stripe does and emitting the events Stripe would. HTTP, faults and
 * idempotency live in server.ts; this file knows nothing about sockets.
 */
import type Stripe from 'stripe';
import { FakeStripeError, invalidRequest, noSuchObject, noSuchParam } from './errors.js';
import type { FormObject } from './form.js';
import { FakeClock, IdSequence } from './ids.js';
import {
  buildBalanceTransaction,
  buildCharge,
  buildPaymentIntent,
  buildRefund,
  buildTransfer,
  buildTransferReversal,
  processingFee,
  snapshot,
  type Metadata,
} from './objects.js';
import { boolParam, currencyParam, metadataParam, objectParam, onlyKnown, optAmount, optString, reqAmount, reqString } from './params.js';

/** Who caused a change: goes into the event's `request` and `account`. */
export interface RequestContext {
  request_id: string | null;
  idempotency_key: string | null;
  account: string | null;
}

export interface StripeFakeState {
  paymentIntents: Map<string, Stripe.PaymentIntent>;
  charges: Map<string, Stripe.Charge>;
  refunds: Map<string, Stripe.Refund>;
  transfers: Map<string, Stripe.Transfer>;
  transferReversals: Map<string, Stripe.TransferReversal>;
  balanceTransactions: Map<string, Stripe.BalanceTransaction>;
}

export type EmitFn = (type: string, object: unknown, ctx: RequestContext, previous_attributes?: Record<string, unknown>) => void;
/** Runs a follow-up change after the API call answered (Stripe settles refunds asynchronously). */
export type ScheduleFn = (task: () => void) => void;

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
const DECLINING_PAYMENT_METHODS: Record<string, { code: string; decline_code: string; message: string }> = {
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_visa_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
};

export class FakeStripeModel {
  readonly state: StripeFakeState = {
    paymentIntents: new Map(),
    charges: new Map(),
    refunds: new Map(),
    transfers: new Map(),
    transferReversals: new Map(),
    balanceTransactions: new Map(),
  };
  /** Which automatic payout each balance transaction was paid out in (payouts.ts, issue #12): `GET /v1/balance_transactions?payout=`. */
  readonly payoutOf = new Map<string, string>();
  /** failure_reason for each upcoming refund that is to fail, consumed in order. */
  private readonly refundFailures: string[] = [];

  constructor(
    readonly ids: IdSequence,
    readonly clock: FakeClock,
    private readonly emit: EmitFn,
    private readonly schedule: ScheduleFn,
  ) {}

  failNextRefund(reason = 'expired_or_canceled_card'): void {
    this.refundFailures.push(reason);
  }

  // ---- payment intents and charges -------------------------------------------------------------

  createPaymentIntent(params: FormObject, ctx: RequestContext): Stripe.PaymentIntent {
    onlyKnown(params, ['amount', 'currency', 'metadata', 'description', 'transfer_group', 'payment_method', 'payment_method_types', 'confirm', 'application_fee_amount', 'transfer_data', 'on_behalf_of', 'capture_method']);
    const amount = reqAmount(params, 'amount');
    const currency = currencyParam(params);
    const capture = optString(params, 'capture_method');
    if (capture !== null && capture !== 'automatic') throw invalidRequest('The Stripe fake only supports capture_method=automatic.', 'parameter_invalid_string', 'capture_method');
    const transferData = objectParam(params, 'transfer_data');
    const pi = buildPaymentIntent({
      id: this.ids.next('pi'),
      amount,
      currency,
      created: this.clock.tick(),
      metadata: metadataParam(params),
      description: optString(params, 'description'),
      transfer_group: optString(params, 'transfer_group'),
      payment_method: optString(params, 'payment_method'),
      application_fee_amount: optAmount(params, 'application_fee_amount'),
      transfer_destination: transferData === null ? null : reqString(transferData, 'destination'),
      on_behalf_of: optString(params, 'on_behalf_of'),
    });
    this.state.paymentIntents.set(pi.id, pi);
    if (boolParam(params, 'confirm')) return this.confirm(pi, null, ctx);
    return pi;
  }

  confirmPaymentIntent(id: string, params: FormObject, ctx: RequestContext): Stripe.PaymentIntent {
    onlyKnown(params, ['payment_method', 'return_url']);
    const pi = this.paymentIntent(id);
    return this.confirm(pi, optString(params, 'payment_method'), ctx);
  }

  private confirm(pi: Stripe.PaymentIntent, paymentMethod: string | null, ctx: RequestContext): Stripe.PaymentIntent {
    if (pi.status !== 'requires_confirmation' && pi.status !== 'requires_payment_method') {
      throw invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, 'payment_intent_unexpected_state');
    }
    const pm = paymentMethod ?? (typeof pi.payment_method === 'string' ? pi.payment_method : null);
    if (pm === null) {
      throw invalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method.", 'payment_intent_unexpected_state');
    }
    const declined = DECLINING_PAYMENT_METHODS[pm] ?? null;
    const created = this.clock.tick();
    const chargeId = this.ids.next('ch');
    let txnId: string | null = null;
    if (declined === null) {
      txnId = this.ids.next('txn');
      const fee = processingFee(pi.amount, pi.currency);
      this.state.balanceTransactions.set(
        txnId,
        buildBalanceTransaction({ id: txnId, amount: pi.amount, fee, currency: pi.currency, created, source: chargeId, type: 'charge', reporting_category: 'charge', description: pi.description, status: 'pending' }),
      );
    }
    const charge = buildCharge({ id: chargeId, pi, created, payment_method: pm, balance_transaction: txnId, declined });
    this.state.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    pi.payment_method = pm;
    if (declined !== null) {
      pi.status = 'requires_payment_method';
      pi.last_payment_error = { type: 'card_error', code: declined.code, decline_code: declined.decline_code, message: declined.message, charge: charge.id } as Stripe.PaymentIntent.LastPaymentError;
      this.emit('charge.failed', charge, ctx);
      this.emit('payment_intent.payment_failed', pi, ctx);
      throw new FakeStripeError(402, 'card_error', declined.message, declined.code, undefined, { decline_code: declined.decline_code, charge: charge.id, payment_intent: snapshot(pi) });
    }
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    this.emit('payment_intent.succeeded', pi, ctx);
    this.emit('charge.succeeded', charge, ctx);
    return pi;
  }

  paymentIntent(id: string): Stripe.PaymentIntent {
    const pi = this.state.paymentIntents.get(id);
    if (pi === undefined) throw noSuchObject('payment_intent', id);
    return pi;
  }

  charge(id: string): Stripe.Charge {
    const ch = this.state.charges.get(id);
    if (ch === undefined) throw noSuchObject('charge', id);
    return ch;
  }

  // ---- refunds -----------------------------------------------------------------------------------

  createRefund(params: FormObject, ctx: RequestContext): Stripe.Refund {
    onlyKnown(params, ['payment_intent', 'charge', 'amount', 'metadata', 'reason', 'instructions_email', 'refund_application_fee', 'reverse_transfer']);
    const charge = this.refundableCharge(params);
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
    const amount = optAmount(params, 'amount') ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, 'amount_too_large', 'amount');
    }
    const reason = optString(params, 'reason');
    if (reason !== null && !(REFUND_REASONS as readonly string[]).includes(reason)) {
      throw invalidRequest(`Invalid reason: must be one of ${REFUND_REASONS.join(', ')}`, 'parameter_invalid_string', 'reason');
    }
    if (boolParam(params, 'reverse_transfer') || boolParam(params, 'refund_application_fee')) {
      throw invalidRequest('The Stripe fake does not model destination charges: reverse the transfer with POST /v1/transfers/:id/reversals.', 'parameter_unknown', 'reverse_transfer');
    }
    const metadata = metadataParam(params);
    const failure = this.refundFailures.shift() ?? null;

    const created = this.clock.tick();
    const id = this.ids.next('re');
    const txnId = this.ids.next('txn');
    // A charge settled in another currency (fx.ts) is refunded in that currency, at the charge's rate.
    const settled = typeof charge.balance_transaction === 'string' ? this.state.balanceTransactions.get(charge.balance_transaction) : undefined;
    const fx = settled && typeof settled.exchange_rate === 'number' && settled.currency !== charge.currency ? { currency: settled.currency, rate: settled.exchange_rate } : null;
    const refundTxn = buildBalanceTransaction({ id: txnId, amount: fx ? -Math.round(amount * fx.rate) : -amount, fee: 0, currency: fx?.currency ?? charge.currency, created, source: id, type: 'refund', reporting_category: 'refund', description: `REFUND FOR CHARGE (${charge.description ?? charge.id})`, status: 'available' });
    if (fx) refundTxn.exchange_rate = fx.rate;
    this.state.balanceTransactions.set(txnId, refundTxn);
    const refund = buildRefund({ id, amount, charge, created, metadata, reason: reason as Stripe.Refund.Reason | null, balance_transaction: txnId, status: failure === null ? 'succeeded' : 'pending' });
    this.state.refunds.set(id, refund);

    const before = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    this.emit('refund.created', refund, ctx);
    this.emit('charge.refunded', charge, ctx, changed(before, charge));

    this.schedule(() => (failure === null ? this.settleRefund(refund) : this.failRefund(refund, charge, failure)));
    return refund;
  }

  refund(id: string): Stripe.Refund {
    const re = this.state.refunds.get(id);
    if (re === undefined) throw noSuchObject('refund', id);
    return re;
  }

  private refundableCharge(params: FormObject): Stripe.Charge {
    const chargeId = optString(params, 'charge');
    const piId = optString(params, 'payment_intent');
    if (chargeId !== null && piId !== null) throw invalidRequest('You can only pass one of charge or payment_intent.', 'parameter_invalid_string', 'payment_intent');
    if (chargeId !== null) {
      const ch = this.state.charges.get(chargeId);
      if (ch === undefined) throw noSuchParam('charge', chargeId, 'charge');
      if (ch.status !== 'succeeded') throw invalidRequest(`Charge ${ch.id} has not succeeded and cannot be refunded.`, 'charge_not_refundable', 'charge');
      return ch;
    }
    if (piId === null) throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing', 'payment_intent');
    const pi = this.state.paymentIntents.get(piId);
    if (pi === undefined) throw noSuchParam('payment_intent', piId, 'payment_intent');
    const ch = typeof pi.latest_charge === 'string' ? this.state.charges.get(pi.latest_charge) : undefined;
    if (pi.status !== 'succeeded' || ch === undefined) {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'charge_not_refundable', 'payment_intent');
    }
    return ch;
  }

  /** The card network accepted the refund: the acquirer reference number becomes available. */
  private settleRefund(refund: Stripe.Refund): void {
    const card = refund.destination_details?.card;
    if (card === undefined) return;
    card.reference_status = 'available';
    card.reference = `7498700621${refund.id.replace(/\D/g, '').padStart(13, '0')}`;
    this.emit('refund.updated', refund, NO_REQUEST, { destination_details: { card: { reference: null, reference_status: 'pending' } } });
  }

  /** The refund bounced: money returns to the platform balance and the charge is refundable again. */
  private failRefund(refund: Stripe.Refund, charge: Stripe.Charge, reason: string): void {
    const created = this.clock.tick();
    const txnId = this.ids.next('txn');
    this.state.balanceTransactions.set(
      txnId,
      buildBalanceTransaction({ id: txnId, amount: refund.amount, fee: 0, currency: refund.currency, created, source: refund.id, type: 'refund_failure', reporting_category: 'refund_failure', description: `REFUND FAILURE FOR CHARGE (${charge.description ?? charge.id})`, status: 'available' }),
    );
    refund.status = 'failed';
    refund.failure_reason = reason;
    refund.failure_balance_transaction = txnId;
    charge.amount_refunded -= refund.amount;
    charge.refunded = false;
    this.emit('refund.updated', refund, NO_REQUEST, { status: 'pending', failure_reason: null, failure_balance_transaction: null });
  }

  // ---- transfers and reversals -------------------------------------------------------------------

  createTransfer(params: FormObject, ctx: RequestContext): Stripe.Transfer {
    onlyKnown(params, ['amount', 'currency', 'destination', 'transfer_group', 'source_transaction', 'metadata', 'description']);
    const amount = reqAmount(params, 'amount');
    const currency = currencyParam(params);
    const destination = reqString(params, 'destination');
    if (!/^acct_[A-Za-z0-9]+$/.test(destination)) throw noSuchParam('destination', destination, 'destination');
    const sourceId = optString(params, 'source_transaction');
    if (sourceId !== null) {
      const source = this.state.charges.get(sourceId);
      if (source === undefined) throw noSuchParam('charge', sourceId, 'source_transaction');
      if (source.status !== 'succeeded') throw invalidRequest(`Charge ${sourceId} has not succeeded and cannot fund a transfer.`, undefined, 'source_transaction');
      if (source.currency !== currency) {
        throw invalidRequest(`The currency of source_transaction's balance transaction (${source.currency}) must be the same as the transfer currency (${currency})`, undefined, 'currency');
      }
      // Stripe's rule: a charge funds transfers up to its amount, less what was already transferred from it.
      let transferred = 0;
      for (const t of this.state.transfers.values()) if (t.source_transaction === sourceId) transferred += t.amount;
      if (amount > source.amount - transferred) {
        throw invalidRequest(`Transfer amount (${amount}) exceeds what source_transaction ${sourceId} can still fund (${source.amount - transferred} of ${source.amount}).`, undefined, 'amount');
      }
    }
    const created = this.clock.tick();
    const id = this.ids.next('tr');
    const txnId = this.ids.next('txn');
    this.state.balanceTransactions.set(
      txnId,
      buildBalanceTransaction({ id: txnId, amount: -amount, fee: 0, currency, created, source: id, type: 'transfer', reporting_category: 'transfer', description: null, status: 'available' }),
    );
    const transfer = buildTransfer({
      id,
      amount,
      currency,
      created,
      destination,
      destination_payment: this.ids.next('py'),
      balance_transaction: txnId,
      source_transaction: sourceId,
      transfer_group: optString(params, 'transfer_group'),
      description: optString(params, 'description'),
      metadata: metadataParam(params),
    });
    this.state.transfers.set(id, transfer);
    this.emit('transfer.created', transfer, ctx);
    return transfer;
  }

  transfer(id: string): Stripe.Transfer {
    const tr = this.state.transfers.get(id);
    if (tr === undefined) throw noSuchObject('transfer', id);
    return tr;
  }

  createTransferReversal(transferId: string, params: FormObject, ctx: RequestContext): Stripe.TransferReversal {
    onlyKnown(params, ['amount', 'metadata', 'description', 'refund_application_fee']);
    const transfer = this.transfer(transferId);
    const remaining = transfer.amount - transfer.amount_reversed;
    if (remaining <= 0) throw invalidRequest(`Transfer ${transfer.id} has already been fully reversed.`, undefined, 'amount');
    const amount = optAmount(params, 'amount') ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(`Transfer reversal amount (${amount}) is greater than the amount remaining on transfer ${transfer.id} (${remaining}).`, undefined, 'amount');
    }
    const metadata: Metadata = metadataParam(params);
    const created = this.clock.tick();
    const id = this.ids.next('trr');
    const txnId = this.ids.next('txn');
    this.state.balanceTransactions.set(
      txnId,
      buildBalanceTransaction({ id: txnId, amount, fee: 0, currency: transfer.currency, created, source: id, type: 'transfer_refund', reporting_category: 'transfer_reversal', description: null, status: 'available' }),
    );
    const reversal = buildTransferReversal({ id, amount, transfer, created, balance_transaction: txnId, destination_payment_refund: this.ids.next('pyr'), metadata });
    this.state.transferReversals.set(id, reversal);

    const before = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed };
    transfer.amount_reversed += amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    transfer.reversals.data.push(snapshot(reversal));
    this.emit('transfer.reversed', transfer, ctx, changed(before, transfer));
    return reversal;
  }

  transferReversal(transferId: string, id: string): Stripe.TransferReversal {
    const trr = this.state.transferReversals.get(id);
    if (trr === undefined || trr.transfer !== transferId) throw noSuchObject('transfer_reversal', id);
    return trr;
  }

  balanceTransaction(id: string): Stripe.BalanceTransaction {
    const txn = this.state.balanceTransactions.get(id);
    if (txn === undefined) throw noSuchObject('balance_transaction', id);
    return txn;
  }

  /** For `expand[]`: any object the fake holds, by id. */
  lookup(id: string): unknown {
    const s = this.state;
    return s.charges.get(id) ?? s.balanceTransactions.get(id) ?? s.paymentIntents.get(id) ?? s.refunds.get(id) ?? s.transfers.get(id) ?? s.transferReversals.get(id);
  }
}

const NO_REQUEST: RequestContext = { request_id: null, idempotency_key: null, account: null };

/** previous_attributes: the listed fields whose values changed, with their values before. */
function changed<T extends object>(before: Partial<T>, after: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(before)) if ((after as Record<string, unknown>)[k] !== v) out[k] = v;
  return out;
}
