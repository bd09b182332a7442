/**
 * When a failed Stripe call is tried again, and how long to wait. Kept apart from the worker so
 * the rules can be proven without a network or a database.
 */
import { isTransientDatabaseError } from '../../db/transient-errors.js';

/** The parts of a Stripe SDK error (or any thrown value) the classification reads. */
type ErrorLike = {
  type?: unknown; rawType?: unknown; name?: unknown; statusCode?: unknown; code?: unknown; message?: unknown;
  headers?: Record<string, unknown> | null;
};

export type FailureClass = {
  retryable: boolean;
  http_status: number | null;
  /** Stripe's own error code when it sent one (`charge_already_refunded`, `rate_limit`), else its error type, else the SDK's class. */
  error_code: string | null;
  error_message: string;
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Retry what may succeed later — no answer at all (network error, timeout: the call may or may
 * not have happened, and the idempotency key makes asking again safe), 5xx, 429, 409 (a
 * concurrent request with the same key) — and never another 4xx: that answer will not change.
 * Stripe's `Stripe-Should-Retry` header, when present, overrides the status.
 */
export function classifyStripeError(err: unknown): FailureClass {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : null;
  const type = str(e.type);
  const shouldRetry = str(e.headers?.['stripe-should-retry']);
  let retryable: boolean;
  if (shouldRetry === 'true') retryable = true;
  else if (shouldRetry === 'false') retryable = false;
  else if (type === 'StripeConnectionError') retryable = true;
  else if (status !== null) retryable = status >= 500 || status === 429 || status === 409;
  else retryable = type === 'StripeAPIError' || type === 'StripeRateLimitError'; // no status: the answer was unreadable
  return {
    retryable,
    http_status: status,
    error_code: str(e.code) ?? str(e.rawType) ?? type ?? str(e.name) ?? null,
    error_message: (str(e.message) ?? '').slice(0, 500),
  };
}

/**
 * Any failure of an attempt: Stripe's answer (or its absence) by classifyStripeError; our own
 * database failing for now (a dropped connection, a lock, an I/O error — while the attempt reads
 * or records, or while a reconcile_day intent reads the ledger) is no answer from Stripe at all
 * and is always retried: it says nothing about the call. Found by the simulation (seed 73).
 */
export function classifyOutboxFailure(err: unknown): FailureClass {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const fromStripe = typeof e.type === 'string' && e.type.startsWith('Stripe');
  if (fromStripe || !isTransientDatabaseError(err)) return classifyStripeError(err);
  return { retryable: true, http_status: null, error_code: str(e.code) ?? str(e.name) ?? 'database_error', error_message: (str(e.message) ?? '').slice(0, 500) };
}

export type BackoffOptions = { baseDelay_ms: number; maxDelay_ms: number };

/**
 * Capped exponential backoff with jitter on the upper half: the ceiling doubles from
 * `baseDelay_ms` with each attempt up to `maxDelay_ms`, and the wait is drawn from
 * [ceiling / 2, ceiling], so retries of many intents spread out but never come early.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(o.maxDelay_ms, o.baseDelay_ms * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + r * (ceiling / 2));
}
