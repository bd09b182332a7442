import Stripe from 'stripe';
import { DomainError, formatIsoUtc, isIso4217, isSafeId, MAX_INPUT_AMOUNT_MINOR } from '../kernel/index.js';

/** The one answer to every failed webhook authentication (the reason goes to the debug log only). */
export const STRIPE_AUTH_FAILED = 'the webhook is not authenticated: Stripe-Signature does not verify with a configured secret within 300 s';

export const STRIPE_TOLERANCE_S = 300;

// Only used for its webhook helpers: verification needs no API key and makes no call.
const verifier = new Stripe('sk_test_verification_only', { telemetry: false });

export type VerifiedStripeEvent = {
  event_id: string;
  type: string;
  occurred_at: string;
  account: string | null;
  object: Record<string, unknown>;
  stream_key: string | null;
  /** The whole signed body as the SDK parsed it (so it is parsed once per delivery). */
  body: unknown;
};

/**
 * Verifies a Stripe webhook with the SDK against every configured secret (rotation), refusing
 * timestamps older than the tolerance (the SDK's check) or further in the future than it (ours).
 */
export function verifyStripeWebhook(raw: Buffer, header: string | undefined, secrets: string[], now_s: number): VerifiedStripeEvent {
  const fail = (reason: string): never => {
    throw new DomainError('signature_invalid', STRIPE_AUTH_FAILED, {}, reason);
  };
  if (!header) return fail('Stripe-Signature header is missing');
  if (secrets.length === 0) return fail('no webhook secret is configured (STRIPE_WEBHOOK_SECRETS)');
  const t = /(?:^|,)t=(\d+)/.exec(header)?.[1];
  if (t !== undefined && Number(t) > now_s + STRIPE_TOLERANCE_S) return fail('Stripe-Signature timestamp is in the future');
  const messages: string[] = [];
  for (const secret of secrets) {
    let event: unknown;
    try {
      event = verifier.webhooks.constructEvent(raw, header, secret, STRIPE_TOLERANCE_S);
    } catch (e) {
      if (e instanceof SyntaxError) throw new DomainError('invalid_json', 'the signed body is not valid JSON');
      messages.push(String((e as Error)?.message ?? ''));
      continue;
    }
    return describe(event as StripeEventLike);
  }
  if (messages.some((m) => /tolerance/i.test(m))) return fail('Stripe-Signature timestamp is outside the 300 s tolerance');
  return fail('no configured webhook secret verifies this payload');
}

type StripeEventLike = { id?: unknown; type?: unknown; created?: unknown; account?: unknown; data?: { object?: unknown } };

function describe(event: StripeEventLike): VerifiedStripeEvent {
  if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.created !== 'number' || typeof event.data?.object !== 'object' || event.data.object === null) {
    throw new DomainError('validation_failed', 'not a Stripe event: id, type, created and data.object are required');
  }
  const object = event.data.object as Record<string, unknown>;
  checkEdgeValues(event.id, object);
  return {
    event_id: event.id,
    type: event.type,
    occurred_at: formatIsoUtc(event.created * 1000),
    account: typeof event.account === 'string' ? event.account : null,
    object,
    stream_key: stripeStreamKey(object),
    body: event,
  };
}

/** The booking a Stripe object belongs to, when the object itself says so. */
export function stripeStreamKey(object: Record<string, unknown>): string | null {
  const metadata = object.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata.booking_id === 'string') return metadata.booking_id;
  if (typeof object.transfer_group === 'string' && !object.transfer_group.startsWith('group_')) return object.transfer_group;
  if (typeof object.payment_intent === 'string') return `pi:${object.payment_intent}`;
  if (object.object === 'payment_intent' && typeof object.id === 'string') return `pi:${object.id}`;
  if (typeof object.charge === 'string') return `ch:${object.charge}`;
  return billingStreamKey(object);
}

/** Host subscriptions (#14): a subscription, its invoices, their payments and credit notes. */
function billingStreamKey(object: Record<string, unknown>): string | null {
  const id = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined);
  if (object.object === 'subscription' && typeof object.id === 'string') {
    // A subscription waits for its host's host.connected (whose keys name the host and the account).
    const m = (object.metadata ?? {}) as Record<string, unknown>;
    if (typeof m.host_id === 'string') return `host:${m.host_id}`;
    if (typeof m.host_account === 'string') return `acct:${m.host_account}`;
    return `sub:${object.id}`;
  }
  if (object.object === 'invoice') {
    const details = ((object.parent ?? {}) as { subscription_details?: { subscription?: unknown } }).subscription_details;
    const sub = id(details?.subscription) ?? id(object.subscription);
    if (sub) return `sub:${sub}`;
    return id(object.customer) ? `cus:${id(object.customer)}` : null;
  }
  if ((object.object === 'invoice_payment' || object.object === 'credit_note') && id(object.invoice)) return `in:${id(object.invoice)}`;
  return null;
}

const AMOUNT_FIELDS = ['amount', 'amount_captured', 'amount_received', 'amount_refunded', 'amount_reversed', 'amount_capturable'] as const;

/**
 * What an authentic Stripe event must still satisfy before it is stored: a safe event id, amounts
 * within 10^12 minor units, an ISO 4217 currency. Stripe never sends otherwise; if it did, the
 * answer is 422 and nothing is stored (Stripe retries, an operator sees it), not a poisoned inbox.
 */
function checkEdgeValues(event_id: string, object: Record<string, unknown>): void {
  if (!isSafeId(event_id)) throw new DomainError('invalid_id', 'the event id is not a safe id', { field: 'id' });
  for (const f of AMOUNT_FIELDS) {
    const v = object[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_INPUT_AMOUNT_MINOR) {
      throw new DomainError('validation_failed', `data.object.${f} must be an integer in 0..10^12 minor units`, { field: `data.object.${f}` });
    }
  }
  if (object.currency !== undefined && object.currency !== null && (typeof object.currency !== 'string' || !isIso4217(object.currency.toUpperCase()))) {
    throw new DomainError('validation_failed', 'data.object.currency must be an ISO 4217 currency', { field: 'data.object.currency' });
  }
}
