import { Agent, request } from 'node:http';

/**
 * The load generator: a keep-alive HTTP/1.1 client for 127.0.0.1 only, a closed loop (a fixed
 * number of requests in flight) and an open loop (requests sent on a timer at a fixed offered
 * rate, never waiting for replies). Every request is built and signed before the clock starts, so
 * the timed part is sending and waiting.
 */

export type PreparedRequest = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: Buffer };
export type Reply = { status: number; body: string };

export class LoadClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets: number) {
    const url = new URL(baseUrl);
    if (url.hostname !== '127.0.0.1') throw new Error(`the load generator only talks to 127.0.0.1, not ${url.hostname}`);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' });
  }

  send(r: PreparedRequest): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...r.headers };
      if (r.body) headers['content-length'] = r.body.length;
      const req = request({ agent: this.agent, host: this.host, port: this.port, method: r.method, path: r.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${r.method} ${r.path}: no answer in 30 s`)));
      if (r.body) req.end(r.body);
      else req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type RunResult = {
  /** Wall time from the first send to the last reply. */
  ms: number;
  count: number;
  /** Per request, milliseconds from its (scheduled, in an open loop) send time to its complete reply. */
  latencies_ms: Float64Array;
  statuses: Map<number, number>;
  replies: Reply[];
  /** Open loop only: how late the generator sent each request after its scheduled time (its own lag). */
  send_lag_ms?: Float64Array;
  /** Open loop only: sending stopped early because too many requests were unanswered. */
  overloaded?: boolean;
  /** Open loop only: from the first send to the last. */
  send_ms?: number;
};

const now = (): number => performance.now();

function countStatus(m: Map<number, number>, s: number): void {
  m.set(s, (m.get(s) ?? 0) + 1);
}

/**
 * Keeps `concurrency` requests in flight until every request has been answered, or until `max_ms`
 * has passed (then no new request starts; `count` says how many were sent and answered).
 */
export async function closedLoop(client: LoadClient, requests: PreparedRequest[], concurrency: number, keepReplies = false, max_ms = Infinity): Promise<RunResult> {
  const latencies = new Float64Array(requests.length);
  const statuses = new Map<number, number>();
  const replies: Reply[] = keepReplies ? new Array(requests.length) : [];
  let next = 0;
  const started = now();
  const deadline = started + max_ms;
  const worker = async () => {
    for (;;) {
      if (now() > deadline) return;
      const i = next++;
      if (i >= requests.length) return;
      const t0 = now();
      const reply = await client.send(requests[i]!);
      latencies[i] = now() - t0;
      countStatus(statuses, reply.status);
      if (keepReplies) replies[i] = reply;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  const count = Math.min(next, requests.length);
  return { ms: now() - started, count, latencies_ms: latencies.subarray(0, count), statuses, replies: replies.slice(0, count) };
}

/**
 * Sends request i at start + i/rate seconds whether or not earlier ones were answered (open loop),
 * so a slow server cannot slow the offered load down. Latency runs from the scheduled send time,
 * which charges any lag of the generator to the measurement rather than hiding queueing.
 * If more than `max_outstanding` requests are unanswered the server is not keeping up: sending
 * stops (`overloaded`), what was sent is answered and measured, and the run ends.
 */
export async function openLoop(client: LoadClient, requests: PreparedRequest[], rate_per_s: number, keepReplies = false, max_outstanding = Infinity): Promise<RunResult> {
  let n = requests.length;
  let outstanding = 0;
  let overloaded = false;
  let lastSend = now();
  const latencies = new Float64Array(n);
  const lag = new Float64Array(n);
  const statuses = new Map<number, number>();
  const replies: Reply[] = keepReplies ? new Array(n) : [];
  const interval = 1000 / rate_per_s;
  const inflight: Promise<void>[] = [];
  const started = now();
  let i = 0;
  while (i < n) {
    const t = now();
    while (i < n && started + i * interval <= t) {
      if (outstanding >= max_outstanding) {
        overloaded = true;
        n = i;
        break;
      }
      const k = i++;
      const due = started + k * interval;
      lastSend = now();
      lag[k] = lastSend - due;
      outstanding++;
      inflight.push(client.send(requests[k]!).then((reply) => {
        outstanding--;
        latencies[k] = now() - due;
        countStatus(statuses, reply.status);
        if (keepReplies) replies[k] = reply;
      }));
    }
    if (i < n) {
      const wait = started + i * interval - now();
      await new Promise((r) => setTimeout(r, Math.max(0, Math.floor(wait))));
    }
  }
  await Promise.all(inflight);
  return { ms: now() - started, count: n, latencies_ms: latencies.subarray(0, n), statuses, replies: replies.slice(0, n), send_lag_ms: lag.subarray(0, n), overloaded, send_ms: lastSend - started };
}

/** The q-quantile (0..1) of the samples, nearest-rank. */
export function quantile(samples: Float64Array, q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function statusSummary(m: Map<number, number>): string {
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}×${c}`).join(' ');
}
