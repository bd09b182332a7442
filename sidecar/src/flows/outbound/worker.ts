import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { formatIsoUtc } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import type { LookupAll } from './address-guard.js';
import { currentEndpoints, signingSecrets, changeEndpoint, type Endpoint } from './endpoints.js';
import { appendAttempt, openHeads, type AttemptRow, type Head } from './deliveries.js';
import { postSigned, type PostResult } from './post.js';
import { DELIVERY_TIMEOUT_MS, nextAttemptAt } from './schedule.js';
import { standardWebhookHeaders } from './signer.js';

export type OutboundWorkerOptions = {
  logger: Logger;
  /** OUTBOUND_SECRETS_KEY: endpoint secrets are derived from it (flows/outbound/secrets.ts). */
  secretsKey: string;
  /** http:// endpoints (development only). */
  allowHttp: boolean;
  /** Deliveries in flight at once per endpoint. */
  perEndpoint?: number;
  timeout_ms?: number;
  lookup?: LookupAll;
  /** The wall clock for the webhook-timestamp header (consumers check it against theirs). */
  wall_ms?: () => number;
  onAttempt?: (outcome: string, endpoint_id: string) => void;
  /** Test hook: runs after the POST and before its attempt is recorded (a crash there is simulated by throwing). */
  beforeRecord?: (head: Head, result: PostResult) => void;
};

/**
 * Delivers outbound events at least once, in order per booking (per host for host-only events):
 * only the oldest undelivered event of a stream is attempted, the next one waits until it is
 * delivered or dead. Streams go in parallel, at most `perEndpoint` at a time per endpoint.
 * Every attempt is a new row; a crash after a POST and before its row sends it again, with the
 * same webhook-id, which is why consumers dedupe by it.
 */
export class OutboundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(private readonly db: Db, private readonly opts: OutboundWorkerOptions) {}

  start(interval_ms = 250, now_ms: () => number = Date.now): void {
    const loop = async () => {
      let n = 0;
      try {
        n = await this.runOnce(now_ms());
      } catch (err) {
        this.opts.logger.error({ err }, 'outbound delivery pass failed');
      }
      if (this.timer !== null) this.timer = setTimeout(loop, n > 0 ? 0 : interval_ms);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** One pass at the instant `now_ms` (injected in tests): every due stream head once. Returns attempts made. */
  runOnce(now_ms: number): Promise<number> {
    const run = this.queue.then(() => this.pass(now_ms));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Passes at `now_ms` until nothing is due (a stream advances one event per pass). */
  async drain(now_ms: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce(now_ms);
      total += n;
      if (n === 0) return total;
    }
  }

  private async pass(now_ms: number): Promise<number> {
    this.running = true;
    try {
      const endpoints = (await currentEndpoints(this.db)).filter((e) => e.status === 'enabled');
      const counts = await Promise.all(endpoints.map((e) => this.passEndpoint(e, now_ms)));
      return counts.reduce((a, b) => a + b, 0);
    } finally {
      this.running = false;
    }
  }

  private async passEndpoint(e: Endpoint, now_ms: number): Promise<number> {
    const due = (await openHeads(this.db, e)).filter((h) => isDue(h, now_ms));
    let next = 0;
    let made = 0;
    let gone = false;
    const lane = async () => {
      while (next < due.length && !gone) {
        const head = due[next++]!;
        const outcome = await this.attempt(e, head, now_ms);
        made++;
        if (outcome === 'gone') gone = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.perEndpoint ?? 8, due.length) }, lane));
    return made;
  }

  private async attempt(e: Endpoint, head: Head, now_ms: number): Promise<AttemptRow['outcome']> {
    const { event, attempts } = head;
    const tries = attempts.filter((a) => a.outcome !== 'resend');
    const round = attempts[0]?.round ?? 0;
    const attempt = tries.length + 1;
    const wall = (this.opts.wall_ms ?? Date.now)();
    const headers = standardWebhookHeaders(signingSecrets(e, this.opts.secretsKey, now_ms), event.event_id, wall, event.body);
    const r = await postSigned(new URL(e.url), headers, event.body, {
      timeout_ms: this.opts.timeout_ms ?? DELIVERY_TIMEOUT_MS, allowPrivate: e.allow_private, allowHttp: this.opts.allowHttp, lookup: this.opts.lookup, agents: this.agents,
    });
    this.opts.beforeRecord?.(head, r);
    let outcome: AttemptRow['outcome'];
    let next: number | null = null;
    if (r.status !== null && r.status >= 200 && r.status < 300) outcome = 'delivered';
    else if (r.status === 410) outcome = 'gone';
    else {
      const first_ms = tries.length ? Date.parse(tries[0]!.attempted_at) : now_ms;
      next = nextAttemptAt(first_ms, attempt, now_ms);
      outcome = next === null ? 'dead' : 'retryable';
    }
    const recorded = await appendAttempt(this.db, {
      event_id: event.event_id, endpoint_id: e.endpoint_id, round, attempt, outcome, http_status: r.status, error_code: r.error_code, error_message: r.error_message,
      duration_ms: r.duration_ms, attempted_at: formatIsoUtc(now_ms), next_attempt_at: next === null ? null : formatIsoUtc(next),
    });
    if (recorded) this.opts.onAttempt?.(outcome, e.endpoint_id);
    if (outcome === 'dead') this.opts.logger.warn({ event_id: event.event_id, endpoint_id: e.endpoint_id, attempts: attempt, error: r.error_code }, 'outbound delivery dead after its retry schedule');
    if (outcome === 'gone') {
      // 410 Gone: the receiver says the endpoint no longer exists. Stop sending to it.
      await changeEndpoint(this.db, e.endpoint_id, 'gone', `answered 410 to ${event.event_id}`, formatIsoUtc(now_ms));
      this.opts.logger.warn({ endpoint_id: e.endpoint_id, url: e.url }, 'endpoint answered 410 Gone: disabled');
    }
    return outcome;
  }
}

function isDue(h: Head, now_ms: number): boolean {
  const last = h.attempts[h.attempts.length - 1];
  if (!last || last.outcome === 'resend' || last.outcome === 'gone') return true;
  return last.outcome === 'retryable' && last.next_attempt_at !== null && Date.parse(last.next_attempt_at) <= now_ms;
}
