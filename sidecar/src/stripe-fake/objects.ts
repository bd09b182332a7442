/**
 * Builders for the Stripe objects the fake hands out, field for field in the shape of the
 * public fixtures (fixtures/stripe) and type-checked against the installed SDK's types,
 * so a consumer that works against the fake reads the same fields it will read from Stripe.
 */
import type Stripe from 'stripe';
import { minorPerMajor, mulDivFloor } from '../kernel/index.js';

export type Metadata = Record<string, string>;

const DAY_S = 86_400;

/**
 * Illustrative card pricing: 2.9 % (half up) + 0.30 of the currency's major unit, in minor units.
 * USD 100.00 -> 320, as in the fixture charge's balance transaction.
 */
export function processingFee(amount_minor: number, currency: string): number {
  const percent = mulDivFloor(amount_minor, 29, 1000) + (mulDivFloor(amount_minor, 29, 100) % 10 >= 5 ? 1 : 0);
  const fixed = mulDivFloor(minorPerMajor(currency.toUpperCase()), 30, 100);
  return Math.min(amount_minor, percent + fixed);
}

export function buildBalanceTransaction(p: {
  id: string;
  amount: number;
  fee: number;
  currency: string;
  created: number;
  source: string;
  type: Stripe.BalanceTransaction.Type;
  reporting_category: string;
  description: string | null;
  status: 'available' | 'pending';
}): Stripe.BalanceTransaction {
  return {
    id: p.id,
    object: 'balance_transaction',
    amount: p.amount,
    available_on: p.status === 'pending' ? p.created + 2 * DAY_S : p.created,
    balance_type: 'payments',
    created: p.created,
    currency: p.currency,
    description: p.description,
    exchange_rate: null,
    fee: p.fee,
    fee_details: p.fee === 0 ? [] : [{ amount: p.fee, application: null, currency: p.currency, description: 'Stripe processing fees', type: 'stripe_fee' }],
    net: p.amount - p.fee,
    reporting_category: p.reporting_category,
    source: p.source,
    status: p.status,
    type: p.type,
  };
}

export function buildPaymentIntent(p: {
  id: string;
  amount: number;
  currency: string;
  created: number;
  metadata: Metadata;
  description: string | null;
  transfer_group: string | null;
  payment_method: string | null;
  application_fee_amount: number | null;
  transfer_destination: string | null;
  on_behalf_of: string | null;
}): Stripe.PaymentIntent {
  return {
    id: p.id,
    object: 'payment_intent',
    amount: p.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: p.application_fee_amount,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${p.id}_secret_fake`,
    confirmation_method: 'automatic',
    created: p.created,
    currency: p.currency,
    customer: null,
    customer_account: null,
    description: p.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: p.metadata,
    next_action: null,
    on_behalf_of: p.on_behalf_of,
    payment_method: p.payment_method,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: p.payment_method === null ? 'requires_payment_method' : 'requires_confirmation',
    transfer_data: p.transfer_destination === null ? null : { destination: p.transfer_destination },
    transfer_group: p.transfer_group,
    allowed_payment_method_types: null,
    payment_record: null,
  };
}

export function buildCharge(p: {
  id: string;
  pi: Stripe.PaymentIntent;
  created: number;
  payment_method: string;
  balance_transaction: string | null;
  declined: { code: string; decline_code: string; message: string } | null;
}): Stripe.Charge {
  const d = p.declined;
  const ok = d === null;
  const amount = p.pi.amount;
  return {
    id: p.id,
    object: 'charge',
    amount,
    amount_captured: ok ? amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: p.pi.application_fee_amount,
    balance_transaction: p.balance_transaction,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: 'Jenny Rosen',
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: ok ? 'MYBNB' : null,
    captured: ok,
    created: p.created,
    currency: p.pi.currency,
    customer: null,
    description: p.pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: d === null ? null : d.code,
    failure_message: d === null ? null : d.message,
    fraud_details: {},
    livemode: false,
    metadata: { ...p.pi.metadata },
    on_behalf_of: p.pi.on_behalf_of,
    outcome: d === null
      ? { advice_code: null, network_advice_code: null, network_decline_code: null, network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' }
      : { advice_code: 'try_again_later', network_advice_code: null, network_decline_code: null, network_status: 'declined_by_network', reason: d.decline_code, risk_level: 'normal', seller_message: `The bank returned the decline code \`${d.decline_code}\`.`, type: 'issuer_declined' },
    paid: ok,
    payment_intent: p.pi.id,
    payment_method: p.payment_method,
    payment_method_details: {
      card: {
        amount_authorized: ok ? amount : null,
        authorization_code: null,
        brand: 'visa',
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: 'US',
        electronic_commerce_indicator: null,
        exp_month: 8,
        exp_year: 2030,
        extended_authorization: { status: 'disabled' },
        fingerprint: 'FakeFingerprint0',
        funding: 'credit',
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: ok ? '4242' : '0002',
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: 'visa',
        network_token: { used: false },
        network_transaction_id: null,
        overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
        regulated_status: null,
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ok ? 'succeeded' : 'failed',
    transfer_data: p.pi.transfer_data == null ? null : { amount: null, destination: p.pi.transfer_data.destination },
    transfer_group: p.pi.transfer_group,
  };
}

export function buildRefund(p: {
  id: string;
  amount: number;
  charge: Stripe.Charge;
  created: number;
  metadata: Metadata;
  reason: Stripe.Refund.Reason | null;
  balance_transaction: string;
  status: 'pending' | 'succeeded';
}): Stripe.Refund {
  return {
    id: p.id,
    object: 'refund',
    amount: p.amount,
    balance_transaction: p.balance_transaction,
    charge: p.charge.id,
    created: p.created,
    currency: p.charge.currency,
    customer: null,
    customer_account: null,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: p.metadata,
    payment_intent: typeof p.charge.payment_intent === 'string' ? p.charge.payment_intent : null,
    payment_method: null,
    reason: p.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: p.status,
    transfer_reversal: null,
  };
}

export function buildTransfer(p: {
  id: string;
  amount: number;
  currency: string;
  created: number;
  destination: string;
  destination_payment: string;
  balance_transaction: string;
  source_transaction: string | null;
  transfer_group: string | null;
  description: string | null;
  metadata: Metadata;
}): Stripe.Transfer {
  return {
    id: p.id,
    object: 'transfer',
    amount: p.amount,
    amount_reversed: 0,
    balance_transaction: p.balance_transaction,
    created: p.created,
    currency: p.currency,
    description: p.description,
    destination: p.destination,
    destination_payment: p.destination_payment,
    livemode: false,
    metadata: p.metadata,
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${p.id}/reversals` },
    reversed: false,
    source_transaction: p.source_transaction,
    source_type: 'card',
    transfer_group: p.transfer_group,
  };
}

export function buildTransferReversal(p: {
  id: string;
  amount: number;
  transfer: Stripe.Transfer;
  created: number;
  balance_transaction: string;
  destination_payment_refund: string;
  metadata: Metadata;
}): Stripe.TransferReversal {
  return {
    id: p.id,
    object: 'transfer_reversal',
    amount: p.amount,
    balance_transaction: p.balance_transaction,
    created: p.created,
    currency: p.transfer.currency,
    destination_payment_refund: p.destination_payment_refund,
    metadata: p.metadata,
    source_refund: null,
    transfer: p.transfer.id,
  };
}

/** A deep copy, so a stored response or an event payload never changes when the object does later. */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
