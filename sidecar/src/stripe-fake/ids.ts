/**
 * Deterministic ids and time for the fake. Real Stripe ids are random; here they come from
 * per-prefix counters so that a demo or a replayed test run prints the same ids every time.
 */
export class IdSequence {
  private readonly counters = new Map<string, number>();
  constructor(private readonly tag: string = 'fake') {}

  /** next('re') -> 're_fake_000001', then 're_fake_000002', ... */
  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}_${this.tag}_${String(n).padStart(6, '0')}`;
  }
}

/** A fixed epoch (2026-09-21T22:13:20Z), far from the wall clock on purpose. */
export const DEFAULT_EPOCH_S = 1_790_000_000;

/**
 * The fake's notion of "now" in unix seconds: a settable base plus one second per change the
 * fake makes, so that objects created one after another have increasing `created` values.
 */
export class FakeClock {
  private base_s: number;
  private ticks = 0;
  constructor(start_s: number = DEFAULT_EPOCH_S) {
    this.base_s = start_s;
  }
  setNow(unix_s: number): void {
    if (!Number.isSafeInteger(unix_s) || unix_s < 0) throw new RangeError('setNow expects whole unix seconds');
    this.base_s = unix_s;
    this.ticks = 0;
  }
  now(): number {
    return this.base_s + this.ticks;
  }
  /** The time for one change, then advances by one second: after setNow(t) the next object is created at t. */
  tick(): number {
    const t = this.now();
    this.ticks += 1;
    return t;
  }
}
