/**
 * A real sidecar (startSidecar, the composition root) in its own node process, so the load
 * generator in the parent never shares its event loop. The parent drives it over the IPC channel
 * (see sidecar-control.ts): pause/resume dispatch, feed booking + payment pairs, time a drain.
 *
 * Environment: BENCH_TARGET (the database target, JSON); BENCH_SQL_TIMING=1 to time every query;
 * BENCH_PROFILE_DIR to allow CPU profiles of single phases (profile-start / profile-stop, written
 * there as <name>.cpuprofile). Started by SidecarControl only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { toInt } from '../../sidecar/src/db/connect.js';
import type { DatabaseTarget } from '../../sidecar/src/db/database-url.js';
import { startSidecar } from '../../sidecar/src/server.js';
import { InboxWriter } from '../../sidecar/src/sari/inbox-writer.js';
import { ingestBookingEvent, ingestStripeWebhook } from '../../sidecar/src/sari/ingest.js';
import { testConfig } from '../../sidecar/src/testing/harness.js';
import type { TestDatabase } from '../../sidecar/src/testing/databases.js';
import { timeQueries, type SqlTiming } from './sql-timing.js';
import { benchBooking, confirmedBody, paymentBody, stripeSignature } from './workload.js';

export type Command =
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'feed-pairs'; tag: string; from: number; count: number; chunk: number }
  | { cmd: 'drain' }
  | { cmd: 'wait-dispatched'; timeout_ms: number }
  | { cmd: 'counts' }
  | { cmd: 'cpu' }
  | { cmd: 'backlog' }
  | { cmd: 'sql-timing' }
  | { cmd: 'preview-path'; fromMemory: boolean }
  | { cmd: 'preview-stats' }
  | { cmd: 'profile-start' }
  | { cmd: 'profile-stop'; name: string }
  | { cmd: 'stop' };

export type Counts = { inbox: number; results: Record<string, number>; parkings: number; entries: number; bookings: number; decisions: number };
export type PreviewStats = { hits: number; loads: number; dropped: number; follows: number; forgotAll: number; kept: number; fence_reads: number; rss_bytes: number; heap_used_bytes: number };
export type DrainResult = { ms: number; events: number; before: Counts; after: Counts };

const target = JSON.parse(process.env.BENCH_TARGET ?? 'null') as DatabaseTarget | null;
if (!target) throw new Error('BENCH_TARGET is required');

const config = testConfig({ target } as TestDatabase, {
  logLevel: 'silent',
  rateLimitPerMinute: 100_000_000,
  inboxMaxBacklog: 1_000_000,
});
const sidecar = await startSidecar(config, { logger: pino({ level: 'silent' }) });
// BENCH_SQL_TIMING=1: time every query (a profiling aid; it adds a little overhead per query).
const sqlTiming = process.env.BENCH_SQL_TIMING === '1' ? timeQueries(sidecar.db) : null;
const writer = new InboxWriter(sidecar.db);
const store = (input: Parameters<InboxWriter['store']>[0]) => writer.store(input);
let paused = false;
const profileDir = process.env.BENCH_PROFILE_DIR || null;
let inspector: Session | null = null;

/** Stored events with neither a result nor a parking yet. */
async function undispatched(): Promise<number> {
  return toInt((await sidecar.db('inbox_events as i')
    .leftJoin('event_results as r', 'r.inbox_id', 'i.id')
    .leftJoin('event_parkings as p', 'p.inbox_id', 'i.id')
    .whereNull('r.id').whereNull('p.id').count({ n: '*' }).first())?.n);
}

async function counts(): Promise<Counts> {
  const db = sidecar.db;
  const n = async (table: string) => toInt((await db(table).count({ n: '*' }).first())?.n);
  const byStatus = (await db('event_results').select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: unknown }>;
  return {
    inbox: await n('inbox_events'),
    results: Object.fromEntries(byStatus.map((r) => [r.status, toInt(r.n)])),
    parkings: await n('event_parkings'),
    entries: await n('journal_entries'),
    bookings: await n('bookings'),
    decisions: await n('decisions'),
  };
}

/**
 * Stores `count` bench bookings' booking.confirmed and payment_intent.succeeded through the same
 * verification and inbox writer as HTTP ingestion (signatures checked, group commit), a chunk of
 * confirmations first and then their payments: the order a booking engine and Stripe produce.
 */
async function feedPairs(tag: string, from: number, count: number, chunk: number): Promise<{ stored: number; ms: number }> {
  const started = performance.now();
  let stored = 0;
  for (let at = from; at < from + count; at += chunk) {
    const idx = Array.from({ length: Math.min(chunk, from + count - at) }, (_, k) => at + k);
    const bookings = idx.map((i) => benchBooking(tag, i));
    const now_ms = Date.now();
    const confirmations = await Promise.all(bookings.map((b, k) => ingestBookingEvent(store, Buffer.from(confirmedBody(b, idx[k]!)), now_ms, async () => undefined)));
    const payments = await Promise.all(bookings.map((b) => {
      const body = paymentBody(b);
      return ingestStripeWebhook(store, Buffer.from(body), stripeSignature(body), config.stripeWebhookSecrets, now_ms);
    }));
    for (const r of [...confirmations, ...payments]) {
      if (r.duplicate) throw new Error('feed: an event was already stored');
      stored++;
      if (!paused) sidecar.dispatcher.noteStored(r.inbox_id);
    }
  }
  return { stored, ms: performance.now() - started };
}

async function handle(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'pause':
      paused = true;
      await sidecar.dispatcher.stop();
      return null;
    case 'resume':
      paused = false;
      sidecar.dispatcher.start();
      return null;
    case 'feed-pairs':
      return feedPairs(c.tag, c.from, c.count, c.chunk);
    case 'drain': {
      if (!paused) throw new Error('pause dispatch before timing a drain');
      const before = await counts();
      const started = performance.now();
      const events = await sidecar.dispatcher.drain();
      const ms = performance.now() - started;
      return { ms, events, before, after: await counts() } satisfies DrainResult;
    }
    case 'wait-dispatched': {
      // Every stored event has a result or a parking: dispatch has caught up with ingestion.
      const deadline = Date.now() + c.timeout_ms;
      for (;;) {
        const left = await undispatched();
        if (left === 0) return null;
        if (Date.now() > deadline) throw new Error(`dispatch did not catch up: ${left} events without a result`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    case 'counts':
      return counts();
    case 'cpu':
      return process.cpuUsage();
    case 'backlog':
      return undispatched();
    case 'profile-start': {
      if (!profileDir) return null;
      if (!inspector) {
        inspector = new Session();
        inspector.connect();
        await inspector.post('Profiler.enable');
      }
      await inspector.post('Profiler.start');
      return null;
    }
    case 'profile-stop': {
      if (!profileDir || !inspector) return null;
      const { profile } = await inspector.post('Profiler.stop');
      const file = join(profileDir, `${c.name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    }
    case 'sql-timing':
      return (sqlTiming?.take() ?? []) satisfies SqlTiming;
    case 'preview-path':
      // The preview bench measures both paths in one run: from memory (the service's) and loading per request (the baseline).
      sidecar.previews.fromMemory = c.fromMemory;
      return null;
    case 'preview-stats':
      return { ...sidecar.previews.stats, kept: sidecar.previews.size, fence_reads: sidecar.previews.fence.reads, rss_bytes: process.memoryUsage().rss, heap_used_bytes: process.memoryUsage().heapUsed } satisfies PreviewStats;
    case 'stop':
      await sidecar.stop();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (m: { id: number } & Command) => {
  handle(m).then(
    (value) => process.send!({ id: m.id, ok: true, value }),
    (err: unknown) => process.send!({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.send!({ ready: true, url: sidecar.url });
