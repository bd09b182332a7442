import { DomainError } from './errors.js';

/**
 * The one character set for ids that come from outside (booking, guest, host, listing, event,
 * decision ids): they travel into URLs, the Content-Disposition header, CSV files and logs, so
 * CR/LF, quotes, commas, spaces, slashes and anything else that could split a header, a cell or a
 * line are refused at the edge rather than escaped everywhere later.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,120}$/;

export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID_PATTERN.test(value);
}

/** A safe id or a 400 `invalid_id` naming the field; nothing is read or written with a bad one. */
export function requireSafeId(value: unknown, field: string): string {
  if (!isSafeId(value)) throw new DomainError('invalid_id', `${field} must be 1 to 120 letters, digits, _ . : - only`, { field });
  return value;
}
