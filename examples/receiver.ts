/**
 * A booking engine's receiver of MyBnB Payments' outbound events — copy it and adapt it.
 *
 *  1. Verify the Standard Webhooks signature with the `standardwebhooks` library over the raw
 *     body (never re-serialised JSON); a bad signature gets 401 and is not applied.
 *  2. Deduplicate by `webhook-id`: delivery is at least once, so the same event may come again
 *     (after a timeout, a crash, or an operator's re-send). Answer 2xx and do nothing.
 *  3. Apply in `seq` order per booking (per host for host-only events). MyBnB sends the next event
 *     of a booking only after the previous one was acknowledged or given up on (dead), so an event
 *     at or below the last applied `seq` is stale and a jump over a `seq` is a gap (a dead letter,
 *     or a type this endpoint is not subscribed to): apply it, and re-read the booking if you need to.
 *  4. Answer quickly with 2xx (within 10 s). 410 tells MyBnB to stop sending to this endpoint.
 *
 * Run it: WEBHOOK_SECRET=whsec_… node --import tsx examples/receiver.ts   (listens on 127.0.0.1:8788)
 * In production keep `seen` and `lastSeq` in your database, in the transaction that applies the event.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';

export type OutboundEvent = { id: string; type: string; occurred_at: string; booking_id?: string; host_id?: string; seq: number; data: Record<string, unknown> };
export type ReceiveResult = { status: number; result: 'applied' | 'duplicate' | 'stale' | 'invalid' };

export class WebhookConsumer {
  private readonly verifiers: Webhook[];
  private readonly seen = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  readonly applied: OutboundEvent[] = [];
  readonly gaps: Array<{ stream: string; expected: number; got: number }> = [];
  duplicates = 0;

  /** `secrets`: the endpoint's whsec_ secret (two while you switch to a rotated one). */
  constructor(secrets: string | string[], private readonly onApply: (e: OutboundEvent) => void = () => {}) {
    this.verifiers = (Array.isArray(secrets) ? secrets : [secrets]).map((s) => new Webhook(s));
  }

  receive(headers: Record<string, string | string[] | undefined>, rawBody: string): ReceiveResult {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') h[k.toLowerCase()] = v;
    let event: OutboundEvent | undefined;
    for (const w of this.verifiers) {
      try {
        event = w.verify(rawBody, h) as OutboundEvent;
        break;
      } catch {
        /* try the next secret */
      }
    }
    if (!event) return { status: 401, result: 'invalid' };
    const webhookId = h['webhook-id']!;
    if (this.seen.has(webhookId)) {
      this.duplicates++;
      return { status: 200, result: 'duplicate' };
    }
    const stream = event.booking_id ? `booking:${event.booking_id}` : event.host_id ? `host:${event.host_id}` : `guest:${String(event.data.guest_id)}`;
    const last = this.lastSeq.get(stream) ?? 0;
    this.seen.add(webhookId);
    if (event.seq <= last) return { status: 200, result: 'stale' };
    if (event.seq !== last + 1) this.gaps.push({ stream, expected: last + 1, got: event.seq });
    this.lastSeq.set(stream, event.seq);
    this.applied.push(event);
    this.onApply(event);
    return { status: 200, result: 'applied' };
  }
}

/** An HTTP server around a consumer. */
export function serveConsumer(consumer: WebhookConsumer, port = 8788, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const r = consumer.receive(req.headers as Record<string, string>, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify({ result: r.result }));
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret?.startsWith('whsec_')) {
    process.stderr.write('WEBHOOK_SECRET=whsec_… is required (printed by `mybnb endpoints add`)\n');
    process.exit(2);
  }
  const consumer = new WebhookConsumer(secret, (e) => process.stdout.write(`${e.type} ${e.booking_id ?? e.host_id ?? ''} seq=${e.seq} ${e.id}\n`));
  const server = await serveConsumer(consumer, Number(process.env.PORT ?? 8788));
  process.stdout.write(`receiving on ${JSON.stringify(server.address())}\n`);
}
