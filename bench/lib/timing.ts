/** Milliseconds spent in `fn`, on the monotonic clock. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Items per second for `count` items done in `ms`. */
export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? Infinity : (count * 1000) / ms;
}
