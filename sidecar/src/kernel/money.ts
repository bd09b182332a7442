import { DomainError } from './errors.js';

/** Largest amount a single journal line may carry (10^15 minor units): safe for JS numbers and BIGINT. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

/** Non-cash units the ledger keeps beside currencies. Loyalty credits never convert to money. */
export const NON_CASH_UNITS = ['CREDIT'] as const;

// ISO 4217 minor-unit exponents that differ from 2 (the rest of the world uses 2).
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

export function isCurrencyCode(unit: string): boolean {
  return /^[A-Z]{3}$/.test(unit);
}

export function isUnit(unit: string): boolean {
  return isCurrencyCode(unit) || (NON_CASH_UNITS as readonly string[]).includes(unit);
}

export function minorDigits(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
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
