/** Stripe's v1 error body (`{ error: { type, code, message, param } }`) and the status it goes with. */
export type StripeErrorType = 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error' | 'authentication_error' | 'rate_limit_error';

export interface StripeErrorBody {
  error: { type: StripeErrorType; code?: string; message: string; param?: string; decline_code?: string; payment_intent?: unknown };
}

/** Thrown inside a handler; the server turns it into the HTTP answer. */
export class FakeStripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): StripeErrorBody {
    const error: StripeErrorBody['error'] = { type: this.type, message: this.message, ...this.extra };
    if (this.code !== undefined) error.code = this.code;
    if (this.param !== undefined) error.param = this.param;
    return { error };
  }
}

export function invalidRequest(message: string, code?: string, param?: string): FakeStripeError {
  return new FakeStripeError(400, 'invalid_request_error', message, code, param);
}

/** A missing object named by a parameter is a 400; one named by the URL is a 404 (as Stripe answers). */
export function noSuchParam(kind: string, id: string, param: string): FakeStripeError {
  return new FakeStripeError(400, 'invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing', param);
}

export function noSuchObject(kind: string, id: string): FakeStripeError {
  return new FakeStripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing', 'id');
}
