import type Stripe from 'stripe';
import { plantedBug } from '../../kernel/planted-bug.js';
import type { Logger } from 'pino';
import { formatIsoUtc } from '../../kernel/index.js';
import { isUniqueViolation, type Db } from '../../db/connect.js';
import { appendAttempt, openIntents, redrivesOf, type IntentCursor, type IntentStatus, type OutboxAttempt } from './intents.js';
import { backoffDelay, classifyOutboxFailure, type FailureClass } from './retry-policy.js';
import { callSubscriptionOperation } from './subscription-calls.js';
import { findExistingObject } from './lookup.js';

const PAGE_SIZE = 50;

export type OutboxWorkerOptions = {
  logger: Logger;
  maxAttempts?: number;
  baseDelay_ms?: number;
  maxDelay_ms?: number;
  /** Called with each object Stripe returned, so it enters the log like a webhook would. */
  onStripeObject: (intent: IntentStatus, object: Record<string, unknown>) => Promise<void>;
  onAttempt?: (operation: string, outcome: string) => void;
  /**
   * Called with each failed attempt before it is recorded, so it enters the log (the clock.tick
   * re-drive decides from the log). If it throws, nothing is recorded and the call is made again.
   */
  onFailure?: (intent: IntentStatus, attempt: OutboxAttempt & { round_ended: boolean }) => Promise<void>;
  /**
   * Runs the daily reconciliation of a `reconcile_day` intent (issue #12; the composition root
   * passes it: it reads Stripe and the ledger). Its report is logged through onStripeObject like an
   * object Stripe returned. Without it such intents wait (not attempted, not failed).
   */
  reconcile?: (params: { day: string; from: string; to: string }) => Promise<Record<string, unknown>>;
  /** Re-classifies a failure by the published retry policy (retryable codes such as balance_insufficient). */
  classify?: (f: FailureClass) => Promise<boolean>;
  random?: () => number;
};

/**
 * Executes outbox intents with the real Stripe SDK. Every call carries the intent's idempotency
 * key, so a retry after a crash, a timeout or a lost response returns the object Stripe already
 * made instead of making another. Attempts are appended, never updated.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly maxAttempts: number;
  private readonly baseDelay_ms: number;
  private readonly maxDelay_ms: number;

  constructor(private readonly db: Db, private readonly stripe: Stripe, private readonly opts: OutboxWorkerOptions) {
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.baseDelay_ms = opts.baseDelay_ms ?? 500;
    this.maxDelay_ms = opts.maxDelay_ms ?? 60_000;
  }

  start(interval_ms = 200): void {
    const loop = async () => {
      try {
        await this.runOnce();
      } catch (err) {
        this.opts.logger.error({ err }, 'outbox pass failed');
      }
      if (this.timer !== null) this.timer = setTimeout(loop, interval_ms);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** One pass over due intents; returns how many calls were made. */
  async runOnce(now_ms = Date.now()): Promise<number> {
    const run = this.queue.then(() => this.pass(now_ms));
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  private queue: Promise<void> = Promise.resolve();

  private async pass(now_ms: number): Promise<number> {
    this.running = true;
    try {
      let calls = 0;
      // Page through every open intent: ones waiting for a retry must not hide newer ones.
      let after: IntentCursor | undefined;
      for (;;) {
        const page = await openIntents(this.db, PAGE_SIZE, after);
        for (const intent of page) {
          // Another worker may have finished it between the page query and its attempts query.
          if (intent.status !== 'pending' && intent.status !== 'retrying') continue;
          if (intent.operation === 'reconcile_day' && !this.opts.reconcile) continue;
          const last = intent.attempts[intent.attempts.length - 1];
          if (last?.next_attempt_at && Date.parse(last.next_attempt_at) > now_ms) continue;
          await this.attempt(intent, (last?.attempt ?? 0) + 1, attemptsInRound(intent.attempts) + 1);
          calls++;
        }
        if (page.length < PAGE_SIZE) return calls;
        const tail = page[page.length - 1]!;
        after = { inbox_id: tail.inbox_id, intent_id: tail.intent_id };
      }
    } finally {
      this.running = false;
    }
  }

  private async attempt(intent: IntentStatus, attempt: number, inRound: number): Promise<void> {
    const attempted_at = formatIsoUtc(Date.now());
    let object: Record<string, unknown> | null = null;
    try {
      // A round re-opened past Stripe's key lifetime asks first: a late retry can never pay twice.
      if (inRound === 1 && intent.attempts.length > 0) {
        const grant = (await redrivesOf(this.db, intent.intent_id)).at(-1);
        if (grant?.lookup_first) object = await findExistingObject(this.stripe, intent);
      }
      object ??= await this.call(intent);
    } catch (err) {
      const f = classifyOutboxFailure(err);
      const retryable = this.opts.classify ? await this.opts.classify(f) : f.retryable;
      const exhausted = retryable && inRound >= this.maxAttempts;
      const outcome = exhausted ? 'exhausted' : retryable ? 'retryable' : 'failed';
      const next = outcome === 'retryable' ? formatIsoUtc(Date.now() + this.backoff(inRound)) : null;
      this.opts.logger.warn({ intent: intent.intent_id, attempt, outcome, status: f.http_status, code: f.error_code }, 'stripe call failed');
      const row: OutboxAttempt = { intent_id: intent.intent_id, attempt, outcome, http_status: f.http_status, error_code: f.error_code, error_message: f.error_message, stripe_object_id: null, attempted_at, next_attempt_at: next, request_id: requestIdOf(err) };
      await this.opts.onFailure?.(intent, { ...row, round_ended: outcome !== 'retryable' });
      await this.record(row);
      this.opts.onAttempt?.(intent.operation, outcome);
      return;
    }
    const stripe_object_id = String(object.id);
    const request_id = requestIdOf(object);
    try {
      await this.opts.onStripeObject(intent, object);
    } catch (err) {
      // Stripe made the object; only our own logging of it failed. That is not a failed Stripe
      // call: retry later (the same key replays the same object) and name the object meanwhile.
      this.opts.logger.error({ err, intent: intent.intent_id, attempt, stripe_object_id }, 'stripe answered but its object could not be recorded');
      const outcome = inRound >= this.maxAttempts ? 'exhausted' : 'retryable';
      const next = outcome === 'retryable' ? formatIsoUtc(Date.now() + this.backoff(inRound)) : null;
      const row: OutboxAttempt = { intent_id: intent.intent_id, attempt, outcome, http_status: 200, error_code: 'record_failed', error_message: String((err as Error)?.message ?? err).slice(0, 500), stripe_object_id, attempted_at, next_attempt_at: next, request_id };
      if (outcome === 'exhausted') await this.opts.onFailure?.(intent, { ...row, round_ended: true }).catch(() => undefined);
      await this.record(row);
      this.opts.onAttempt?.(intent.operation, outcome);
      return;
    }
    await this.record({ intent_id: intent.intent_id, attempt, outcome: 'succeeded', http_status: 200, error_code: null, error_message: null, stripe_object_id, attempted_at, next_attempt_at: null, request_id });
    this.opts.onAttempt?.(intent.operation, 'succeeded');
  }

  private async record(a: Parameters<typeof appendAttempt>[1]): Promise<void> {
    try {
      await appendAttempt(this.db, a);
    } catch (e) {
      // Another worker recorded this attempt number first: its record stands.
      if (!isUniqueViolation(e)) throw e;
    }
  }

  /** The wait after failed attempt number `attempt` (see backoffDelay). */
  backoff(attempt: number): number {
    return backoffDelay(attempt, { baseDelay_ms: this.baseDelay_ms, maxDelay_ms: this.maxDelay_ms }, this.opts.random);
  }

  private async call(intent: IntentStatus): Promise<Record<string, unknown>> {
    const p = intent.params as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- params were written by our own decision code
    // plantedBug: off unless a test plants it (kernel/planted-bug.ts); the production config refuses the flag.
    const opts = plantedBug('skip_idempotency') ? {} : { idempotencyKey: intent.intent_id };
    switch (intent.operation) {
      case 'refund':
        return (await this.stripe.refunds.create({ payment_intent: p.payment_intent, amount: p.amount, metadata: p.metadata, reason: 'requested_by_customer' }, opts)) as unknown as Record<string, unknown>;
      case 'transfer':
        return (await this.stripe.transfers.create({ amount: p.amount, currency: p.currency, destination: p.destination, transfer_group: p.transfer_group, source_transaction: p.source_transaction, metadata: p.metadata }, opts)) as unknown as Record<string, unknown>;
      case 'transfer_reversal':
        return (await this.stripe.transfers.createReversal(p.transfer_id, { amount: p.amount, metadata: p.metadata }, opts)) as unknown as Record<string, unknown>;
      case 'balance_transaction':
        return (await this.stripe.balanceTransactions.retrieve(p.id)) as unknown as Record<string, unknown>;
      case 'reconcile_day':
        return this.opts.reconcile!(p as { day: string; from: string; to: string });
      case 'dispute_evidence': {
        // The documents first, each its own upload under a key of its own (a retry gets the same file back).
        const files: Record<string, string> = {};
        for (const [field, text] of Object.entries((p.documents ?? {}) as Record<string, string>)) {
          const file = await this.stripe.files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from(text, 'utf8'), name: `${field}.txt`, type: 'text/plain' } }, plantedBug('skip_idempotency') ? {} : { idempotencyKey: `${intent.intent_id}:file:${field}` });
          files[field] = file.id;
        }
        return (await this.stripe.disputes.update(p.dispute_id, { evidence: { ...p.evidence, ...files }, submit: true }, opts)) as unknown as Record<string, unknown>;
      }
      default:
        return callSubscriptionOperation(this.stripe, intent.operation, p, { idempotencyKey: intent.intent_id });
    }
  }
}

/** Attempts since the last ended round (a round ends exhausted or failed). */
function attemptsInRound(attempts: OutboxAttempt[]): number {
  let n = 0;
  for (let i = attempts.length - 1; i >= 0; i--) {
    if (attempts[i]!.outcome === 'failed' || attempts[i]!.outcome === 'exhausted') break;
    n++;
  }
  return n;
}

/** Stripe's Request-Id, from an SDK error or from a returned object's lastResponse. */
function requestIdOf(x: unknown): string | null {
  const o = x as { requestId?: unknown; lastResponse?: { requestId?: unknown } } | null;
  const id = o?.requestId ?? o?.lastResponse?.requestId;
  return typeof id === 'string' && id !== '' ? id : null;
}
