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
import { benchBooking, cancellationBody, confirmedBody, paymentBody, stripeSignature } from './workload.js';
import { previewCancellation } from '../../sidecar/src/pipeline/preview.js';
import { Dispatcher } from '../../sidecar/src/pipeline/dispatcher.js';
import { canonicalJson, formatIsoUtc } from '../../sidecar/src/kernel/index.js';

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
  | { cmd: 'cancel-targets'; tag: string; indices: number[]; at: string }
  | { cmd: 'feed-cancellations'; targets: CancelTarget[]; at: string }
  | { cmd: 'store-tick'; at: string }
  | { cmd: 'ticks'; every_ms: number; at: string }
  | { cmd: 'drain-batch'; batch: number }
  | { cmd: 'outcomes' }
  | { cmd: 'fated' }
  | { cmd: 'feed-hosts'; count: number }
  | { cmd: 'stop' };

/** A paid booking a guest cancels, and the outcome hash of the preview the guest consented to. */
export type CancelTarget = { booking_id: string; outcome_hash: string };
/** What dispatch made of everything so far: results by status, refused decisions, outbox intents by operation. */
export type Outcomes = { results: Record<string, number>; parked_now: number; refused_cancellations: number; intents: Record<string, number> };

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

let ticks = 0;
let ticker: NodeJS.Timeout | null = null;

/** A clock tick at a fixed simulated instant (each with an id of its own), stored the way the built-in clock stores its ticks. */
async function storeTick(at: string): Promise<number> {
  const event_id = `tick:${at}:bench${++ticks}`;
  const r = await store({
    source: 'clock', event_id, type: 'clock.tick', stream_key: null, occurred_at: at,
    payload: canonicalJson({ id: event_id, type: 'clock.tick', occurred_at: at, data: {} }), received_at: formatIsoUtc(Date.now()),
  });
  if (!paused) sidecar.dispatcher.noteStored(r.inbox_id);
  return r.inbox_id;
}

/** The previews the guests consent to, computed as the preview route computes them (8 at a time). */
async function cancelTargets(tag: string, indices: number[], at: string): Promise<CancelTarget[]> {
  const out: CancelTarget[] = new Array(indices.length);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let k = next++; k < indices.length; k = next++) {
      const b = benchBooking(tag, indices[k]!);
      const p = await previewCancellation(sidecar.db, b.booking_id, 'guest', at);
      if (!p.allowed) throw new Error(`cancel target ${b.booking_id}: the preview at ${at} refuses (${String(p.reason)})`);
      out[k] = { booking_id: b.booking_id, outcome_hash: p.outcome_hash };
    }
  }));
  return out;
}

async function outcomes(): Promise<Outcomes> {
  const db = sidecar.db;
  const byStatus = (await db('event_results').select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: unknown }>;
  const intents = (await db('outbox_intents').select('operation').count({ n: '*' }).groupBy('operation')) as Array<{ operation: string; n: unknown }>;
  const refused = toInt((await db('decisions').where('action', 'like', 'cancel_by_%').where({ allowed: 0 }).count({ n: '*' }).first())?.n);
  return {
    results: Object.fromEntries(byStatus.map((r) => [r.status, toInt(r.n)])),
    parked_now: toInt((await db('event_parkings as p').leftJoin('event_results as r', 'r.inbox_id', 'p.inbox_id').whereNull('r.id').count({ n: '*' }).first())?.n),
    refused_cancellations: refused,
    intents: Object.fromEntries(intents.map((r) => [r.operation, toInt(r.n)])),
  };
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
      const left = await undispatched();
      if (left > 0) {
        // drain() stops at a batch that could not be written: say why.
        const { readInboxAfter } = await import('../../sidecar/src/sari/inbox.js');
        const { runBatch } = await import('../../sidecar/src/pipeline/batch/run-batch.js');
        const m = toInt((await sidecar.db('event_results').max({ m: 'inbox_id' }).first())?.m);
        const batch = await readInboxAfter(sidecar.db, m, 500);
        const err = await runBatch(sidecar.db, batch, { logger: pino({ level: 'silent' }) }).then(() => null, (e: unknown) => e);
        throw new Error(`drain left ${left} events undispatched after ${events}; a batch from ${batch[0]?.id}: ${err instanceof Error ? err.stack : String(err)}`);
      }
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
    case 'cancel-targets':
      return cancelTargets(c.tag, c.indices, c.at);
    case 'feed-cancellations': {
      const now_ms = Date.now();
      for (let i = 0; i < c.targets.length; i += 64) {
        const stored = await Promise.all(c.targets.slice(i, i + 64).map((t) => ingestBookingEvent(store, Buffer.from(cancellationBody(t, c.at)), now_ms, async () => undefined)));
        for (const r of stored) {
          if (r.duplicate) throw new Error('feed: a cancellation was already stored');
          if (!paused) sidecar.dispatcher.noteStored(r.inbox_id);
        }
      }
      return null;
    }
    case 'store-tick':
      return storeTick(c.at);
    case 'ticks': {
      if (ticker) clearInterval(ticker);
      ticker = c.every_ms > 0 ? setInterval(() => void storeTick(c.at), c.every_ms) : null;
      return null;
    }
    case 'drain-batch': {
      // The same handlers in batches of `batch` (1: one event per transaction, the shape before issue 11).
      if (!paused) throw new Error('pause dispatch before timing a drain');
      const before = await counts();
      const d = new Dispatcher(sidecar.db, { logger: pino({ level: 'silent' }), batchSize: c.batch });
      const started = performance.now();
      const events = await d.drain();
      const ms = performance.now() - started;
      return { ms, events, before, after: await counts() } satisfies DrainResult;
    }
    case 'outcomes':
      return outcomes();
    case 'feed-hosts': {
      // The bench's hosts connect their Stripe accounts (a payout needs a destination).
      const now_ms = Date.now();
      for (let h = 0; h < c.count; h++) {
        const body = JSON.stringify({ id: `bev_host_${h}`, type: 'host.connected', occurred_at: '2026-07-01T00:00:00Z', data: { host_id: `host_${h}`, stripe_account_id: `acct_1Bench${h}` } });
        const r = await ingestBookingEvent(store, Buffer.from(body), now_ms, async () => undefined);
        if (!paused) sidecar.dispatcher.noteStored(r.inbox_id);
      }
      return null;
    }
    case 'fated':
      return toInt((await sidecar.db('inbox_events').count({ n: '*' }).first())?.n) - (await undispatched());
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
