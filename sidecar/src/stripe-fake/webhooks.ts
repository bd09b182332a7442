/**
 * Delivers the fake's events to one endpoint the way Stripe does: JSON Event envelopes, signed
 * with the SDK's own signer (`Stripe-Signature: t=…,v1=…`), one at a time in creation order,
 * retried with a short backoff on a non-2xx answer or a network error, never inside the API call
 * that caused them.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';

export interface FakeEvent {
  id: string;
  object: 'event';
  account?: string;
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface EventRecord {
  event: FakeEvent;
  delivery: 'queued' | 'delivered' | 'failed';
  attempts: number;
  /** HTTP status of the last attempt, or null after a network error / before any attempt. */
  last_status: number | null;
}

export interface DispatcherOptions {
  url?: string;
  secret?: string;
  /** Wait before the first attempt of each event (lets a test observe "API answered, webhook not yet"). */
  delay_ms: number;
  attempts: number;
  backoff_ms: number;
  /** Per-attempt timeout. */
  timeout_ms: number;
}

export class WebhookDispatcher {
  readonly log: EventRecord[] = [];
  private queue: EventRecord[] = [];
  private running: Promise<void> | null = null;
  private readonly stop = new AbortController();
  private url: string | null;
  private secret: string | null;

  constructor(private readonly opts: DispatcherOptions) {
    this.url = opts.url ?? null;
    this.secret = opts.secret ?? null;
  }

  setTarget(url: string, secret: string): void {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:') throw new RangeError('the Stripe fake delivers webhooks over plain http only');
    if (secret.length === 0) throw new RangeError('webhook secret must not be empty');
    this.url = url;
    this.secret = secret;
    this.kick();
  }

  enqueue(event: FakeEvent): void {
    const record: EventRecord = { event, delivery: 'queued', attempts: 0, last_status: null };
    this.log.push(record);
    this.queue.push(record);
    this.kick();
  }

  /** Resolves once nothing deliverable is left (events wait, visibly queued, while no target is set). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  busy(): boolean {
    return this.running !== null;
  }

  close(): void {
    this.stop.abort();
  }

  private kick(): void {
    if (this.running !== null || this.url === null || this.stop.signal.aborted) return;
    // Started on the next turn, so the API answer that caused the event is written first.
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.pump())
      .finally(() => {
        this.running = null;
        // An event enqueued while the pump was finishing would otherwise wait for the next one.
        if (this.queue.length > 0) this.kick();
      });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.stop.signal.aborted) {
      const record = this.queue[0] as EventRecord;
      if (this.opts.delay_ms > 0) await this.pause(this.opts.delay_ms);
      await this.deliver(record);
      this.queue.shift();
    }
  }

  private async deliver(record: EventRecord): Promise<void> {
    const payload = JSON.stringify(record.event, null, 2);
    for (let attempt = 1; attempt <= this.opts.attempts && !this.stop.signal.aborted; attempt++) {
      const url = this.url as string;
      // Signed per attempt with the real current time: receivers refuse signatures older than their tolerance.
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.secret as string, timestamp: Math.floor(Date.now() / 1000) });
      record.attempts = attempt;
      record.last_status = await post(url, payload, header, this.opts.timeout_ms);
      if (record.last_status !== null && record.last_status >= 200 && record.last_status < 300) {
        record.delivery = 'delivered';
        return;
      }
      if (attempt < this.opts.attempts) await this.pause(this.opts.backoff_ms * 2 ** (attempt - 1));
    }
    if (record.delivery === 'queued') record.delivery = 'failed';
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }
}

function post(url: string, payload: string, signature: string, timeout_ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(payload),
        'Stripe-Signature': signature,
        'User-Agent': 'Stripe/1.0 (stripe-fake)',
      },
      timeout: timeout_ms,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy(new Error('webhook delivery timed out')));
    req.on('error', () => resolve(null));
    req.end(payload);
  });
}
