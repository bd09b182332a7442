/**
 * Injected failures. Each rule answers the next `count` requests that match it; rules are
 * consulted in the order they were added and a request consumes at most one rule.
 */
export type FaultStatus = 500 | 502 | 503 | 429;

export interface FaultMatch {
  /** Tested against the request path without its query string, e.g. /^\/v1\/refunds$/. */
  path?: RegExp;
  /** Only requests with this method (default: any). */
  method?: 'GET' | 'POST';
  /** How many matching requests the rule answers (default 1). */
  count?: number;
}

export type FaultRule =
  /** Answer with this status without performing the operation. */
  | { kind: 'status'; status: FaultStatus; match: FaultMatch; remaining: number }
  /** Refuse like Stripe refuses a request (400 with an error code), without performing it. */
  | { kind: 'refuse'; code: string; message: string; match: FaultMatch; remaining: number }
  /** Hold the request open without performing it; after delay_ms (if given) drop the socket. */
  | { kind: 'timeout'; delay_ms: number | null; match: FaultMatch; remaining: number }
  /** Perform the operation (or replay it), then drop the socket before answering. */
  | { kind: 'crashAfterCommit'; match: FaultMatch; remaining: number };

export interface FaultControl {
  next(opts: { status: FaultStatus } & FaultMatch): void;
  timeout(opts?: { delay_ms?: number } & FaultMatch): void;
  /** The next matching requests are refused with a 400 and this Stripe error code (e.g. charge_disputed, account_closed). */
  refuse(opts: { code: string; message?: string } & FaultMatch): void;
  crashAfterCommit(opts?: FaultMatch): void;
  /** Every matching request answers `status` until `end()` is called (an incident of unknown length). */
  outage(opts: { status: FaultStatus } & Omit<FaultMatch, 'count'>): { end(): void };
  /** Drops every rule not yet used up. */
  clear(): void;
  /** Requests still to be answered by a rule (sum of remaining counts). */
  pending(): number;
}

export class Faults implements FaultControl {
  private rules: FaultRule[] = [];

  next(opts: { status: FaultStatus } & FaultMatch): void {
    this.rules.push({ kind: 'status', status: opts.status, match: opts, remaining: countOf(opts) });
  }
  refuse(opts: { code: string; message?: string } & FaultMatch): void {
    this.rules.push({ kind: 'refuse', code: opts.code, message: opts.message ?? `Refused (Stripe fake: injected ${opts.code}).`, match: opts, remaining: countOf(opts) });
  }
  timeout(opts: { delay_ms?: number } & FaultMatch = {}): void {
    this.rules.push({ kind: 'timeout', delay_ms: opts.delay_ms ?? null, match: opts, remaining: countOf(opts) });
  }
  crashAfterCommit(opts: FaultMatch = {}): void {
    this.rules.push({ kind: 'crashAfterCommit', match: opts, remaining: countOf(opts) });
  }
  outage(opts: { status: FaultStatus } & Omit<FaultMatch, 'count'>): { end(): void } {
    const rule: FaultRule = { kind: 'status', status: opts.status, match: opts, remaining: Number.POSITIVE_INFINITY };
    this.rules.push(rule);
    return { end: () => { rule.remaining = 0; this.rules = this.rules.filter((r) => r !== rule); } };
  }
  clear(): void {
    this.rules = [];
  }
  pending(): number {
    return this.rules.reduce((sum, r) => sum + r.remaining, 0);
  }

  /** Finds and consumes the first rule matching this request. */
  take(method: string, path: string): FaultRule | null {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.match.method === undefined || r.match.method === method) && (r.match.path === undefined || testFresh(r.match.path, path)));
    if (rule === undefined) return null;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule;
  }
}

function countOf(m: FaultMatch): number {
  const count = m.count ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('fault count must be a positive integer');
  return count;
}

/** A /g or /y RegExp keeps lastIndex between calls; reset it so matching never depends on history. */
function testFresh(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
