import type { DecisionHandler } from '../handler-shape.js';
import { onBookingConfirmed, onCancelRequested, onCheckedIn, onCompleted, onHostConnected } from './booking.js';
import { onClockTick } from './clock.js';
import { onPolicyPublished } from './policy.js';
import { onAccountUpdated } from './account.js';
import { onAttemptFailed, onRetryRequested } from './outbox-redrive.js';
import { onBookingModified } from './modification.js';
import { onPlatformPayout } from './platform-payout.js';
import { onReconciliationReport } from './reconciliation-report.js';
import { SUBSCRIPTION_HANDLERS } from './subscription-index.js';
import { onBalanceTransaction, onChargeRefunded, onChargeSucceeded, onDispute, onPaymentIntentSucceeded, onRefund, onTransfer, onTransferReversal } from './stripe.js';

/**
 * Vendor and engine events translated into our own handling. Anything not listed is stored and
 * recorded as ignored: never an error loop.
 */
export const HANDLERS: Record<string, DecisionHandler> = {
  'booking:booking.confirmed': onBookingConfirmed,
  'booking:booking.modified': onBookingModified,
  'booking:booking.cancel_requested': onCancelRequested,
  'booking:stay.checked_in': onCheckedIn,
  'booking:stay.completed': onCompleted,
  'booking:host.connected': onHostConnected,
  'booking:clock.tick': onClockTick,
  'booking:money.retry_requested': onRetryRequested,
  'clock:clock.tick': onClockTick, // the sidecar's own clock (sari/clock-ticker.ts; issues #13, #16)
  'policy:policy.published': onPolicyPublished,
  'stripe:payment_intent.succeeded': onPaymentIntentSucceeded,
  'stripe:charge.succeeded': onChargeSucceeded,
  'stripe:charge.updated': onChargeSucceeded,
  'stripe:charge.refunded': onChargeRefunded,
  'stripe:refund.created': onRefund,
  'stripe:refund.updated': onRefund,
  'stripe:refund.failed': onRefund,
  'stripe:transfer.created': onTransfer,
  'stripe:transfer.reversed': onTransfer,
  'stripe:charge.dispute.created': onDispute,
  'stripe:charge.dispute.updated': onDispute,
  'stripe:charge.dispute.funds_withdrawn': onDispute,
  'stripe:charge.dispute.funds_reinstated': onDispute,
  'stripe:charge.dispute.closed': onDispute,
  ...SUBSCRIPTION_HANDLERS,
  'stripe:account.updated': onAccountUpdated,
  'stripe:payout.created': onPlatformPayout,
  'stripe:payout.paid': onPlatformPayout,
  'stripe:payout.failed': onPlatformPayout,
  'stripe:payout.canceled': onPlatformPayout,
  // objects the outbox received from Stripe's API, logged like webhooks
  'stripe_api:refund': onRefund,
  'stripe_api:transfer': onTransfer,
  'stripe_api:transfer_reversal': onTransferReversal,
  'stripe_api:balance_transaction': onBalanceTransaction,
  'stripe_api:outbox.attempt_failed': onAttemptFailed,
  'stripe_api:reconciliation_report': onReconciliationReport,
};
