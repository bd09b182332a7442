/**
 * The closed set of error codes the service answers with. Each is stable: clients and tests match
 * on `code`, never on the message. Adding a code is an API change; renaming one is forbidden.
 */
export const ERROR_STATUS = {
  // request shape and authentication
  bad_request: 400,
  invalid_json: 400,
  body_too_large: 413,
  json_too_deep: 400,
  unsupported_media_type: 415,
  invalid_id: 400,
  // One code for every authentication failure (missing, malformed, unknown key, wrong signature,
  // stale or future timestamp): an attacker learns nothing about which key ids exist (issue #13).
  signature_invalid: 401,
  forbidden_role: 403,
  rate_limited: 429,
  overloaded: 503,
  not_found: 404,
  validation_failed: 422,
  event_from_future: 422,
  unknown_policy: 422,
  // ledger
  unbalanced_entry: 422,
  unknown_account: 422,
  currency_mismatch: 422,
  amount_out_of_range: 422,
  empty_entry: 422,
  idempotency_conflict: 409,
  reversal_target_missing: 422,
  already_reversed: 409,
  // decisions and state
  illegal_transition: 409,
  outcome_changed: 409,
  not_ready: 503,
  schema_behind: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly detail: Record<string, unknown>;
  /** For the operator's log only, never for the client (e.g. why an authentication failed). */
  readonly internalReason: string | undefined;
  constructor(code: ErrorCode, message: string, detail: Record<string, unknown> = {}, internalReason?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.detail = detail;
    this.internalReason = internalReason;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isDomainError(e: unknown, code?: ErrorCode): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code);
}
