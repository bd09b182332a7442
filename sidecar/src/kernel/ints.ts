/** Reads an integer column that MySQL may hand back as a string (BIGINT, SUM). */
export function toInt(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`integer out of safe range: ${value}`);
    return n;
  }
  if (value === null || value === undefined) return 0;
  throw new TypeError(`not an integer: ${String(value)}`);
}
