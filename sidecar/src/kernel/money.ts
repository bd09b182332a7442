import { DomainError } from './errors.js';
import { ISO_4217_MINOR_UNITS, isIso4217 } from './currencies.js';

/** Largest amount a single journal line may carry (10^15 minor units): safe for JS numbers and BIGINT. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

/**
 * Largest amount any single input may name at the edge (10^12 minor units: ten billion dollars).
 * A booking total, a Stripe amount, a modification: anything larger is refused before it is stored,
 * so no sum the ledger later forms can approach MAX_AMOUNT_MINOR or a JS number's safe range.
 */
export const MAX_INPUT_AMOUNT_MINOR = 1_000_000_000_000;

/** Non-cash units the ledger keeps beside currencies. Loyalty credits never convert to money. */
export const NON_CASH_UNITS = ['CREDIT'] as const;

/** An ISO 4217 currency (kernel/currencies.ts): `ZZZ` looks like one and is not. */
export function isCurrencyCode(unit: string): boolean {
  return isIso4217(unit);
}

export function isUnit(unit: string): boolean {
  return isCurrencyCode(unit) || (NON_CASH_UNITS as readonly string[]).includes(unit);
}

export function minorDigits(currency: string): number {
  const digits = ISO_4217_MINOR_UNITS[currency];
  if (digits === undefined) throw new RangeError(`${currency} is not an ISO 4217 currency`);
  return digits;
}

/** One whole unit of the currency in minor units (USD 100, JPY 1, KWD 1000). */
export function minorPerMajor(currency: string): number {
  return 10 ** minorDigits(currency);
}

export function checkAmountMinor(amount_minor: unknown, what: string): number {
  if (typeof amount_minor !== 'number' || !Number.isSafeInteger(amount_minor) || amount_minor <= 0 || amount_minor > MAX_AMOUNT_MINOR) {
    throw new DomainError('amount_out_of_range', `${what}: amount must be an integer in 1..${MAX_AMOUNT_MINOR}`, { amount_minor: String(amount_minor) });
  }
  return amount_minor;
}

/** Integer division rounding up, for non-negative integers (refunds round in the guest's favour). */
export function ceilDiv(numerator: number, denominator: number): number {
  if (denominator <= 0 || numerator < 0) throw new RangeError('ceilDiv expects numerator >= 0 and denominator > 0');
  const big = (BigInt(numerator) + BigInt(denominator) - 1n) / BigInt(denominator);
  return Number(big);
}

/** Integer division rounding down, for non-negative integers. */
export function floorDiv(numerator: number, denominator: number): number {
  if (denominator <= 0 || numerator < 0) throw new RangeError('floorDiv expects numerator >= 0 and denominator > 0');
  return Number(BigInt(numerator) / BigInt(denominator));
}

/** amount × num / den rounded up, exact (BigInt), for non-negative inputs. */
export function mulDivCeil(amount: number, num: number, den: number): number {
  if (den <= 0 || amount < 0 || num < 0) throw new RangeError('mulDivCeil expects non-negative inputs');
  return Number((BigInt(amount) * BigInt(num) + BigInt(den) - 1n) / BigInt(den));
}

/** amount × num / den rounded down, exact (BigInt), for non-negative inputs. */
export function mulDivFloor(amount: number, num: number, den: number): number {
  if (den <= 0 || amount < 0 || num < 0) throw new RangeError('mulDivFloor expects non-negative inputs');
  return Number((BigInt(amount) * BigInt(num)) / BigInt(den));
}

/** Splits `total` into `parts` amounts that differ by at most 1, the remainder going to the first parts. */
export function splitEvenly(total: number, parts: number): number[] {
  if (parts <= 0 || !Number.isSafeInteger(total) || total < 0) throw new RangeError('splitEvenly expects total >= 0 and parts > 0');
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < remainder ? 1 : 0));
}
