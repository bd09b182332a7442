/**
 * Applied throughput of the batch dispatcher, in process (no HTTP): a stored backlog on the issue's
 * realistic mix — booking confirmations, their payments, 20 % of the bookings cancelled by the guest
 * with the consent of their preview (refund decisions, entries, outbox intents), clock ticks that
 * release host payouts, one hot platform account in every payment — drained by `Dispatcher.drain()`
 * in batches of 500, beside the same backlog drained in batches of 1 (the old one-event-per-
 * transaction shape, same handlers) in the same run. Every event is checked processed.
 *   node --import tsx bench/dispatch/run.ts [--bookings N] [--only sqlite|mysql] [--batches 500,1] [--statement-cache 500,0] [--rounds N] [--sql-timing] [--profile DIR]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { formatTiming, timeQueries } from '../ingest/sql-timing.js';
import { pino } from 'pino';
import { dialects, freshDatabase } from '../../sidecar/src/testing/databases.js';
import { readPolicyDir } from '../../sidecar/src/policy-files.js';
import { publishPolicies } from '../../sidecar/src/pipeline/publish-policies.js';
import { Dispatcher, type BatchInfo } from '../../sidecar/src/pipeline/dispatcher.js';
import { previewCancellation } from '../../sidecar/src/pipeline/preview.js';
import { parseArgs } from '../lib/args.js';
import { benchBooking, confirmedBody, paymentBody, type BenchBooking } from '../ingest/workload.js';
import { openDb, type Db } from '../../sidecar/src/db/connect.js';
import { useTextWrites } from '../../sidecar/src/db/prepared-write.js';
import { serverCpu_ms } from '../ingest/server-cpu.js';

const args = parseArgs(process.argv.slice(2), { numbers: ['bookings', 'rounds'], flags: ['sql-timing'], strings: ['only', 'batches', 'profile', 'statement-cache', 'writes'] });
// --writes prepared,text: multi-row INSERTs as prepared statements (the default) and as text, interleaved in one run.
const WRITES = typeof args.writes === 'string' ? args.writes.split(',') : ['prepared'];
// --statement-cache 500,0: the SQLite statement cache's sizes to compare, interleaved in one run (item 6).
const CACHES = typeof args['statement-cache'] === 'string' ? args['statement-cache'].split(',').map(Number) : [undefined];
const BATCHES = typeof args.batches === 'string' ? args.batches.split(',').map(Number) : [500, 1];
const N = typeof args.bookings === 'number' ? args.bookings : 1000;
const silent = pino({ level: 'silent' });
let eventNo = 0;

function row(source: string, type: string, stream_key: string | null, occurred_at: string, payload: string) {
  eventNo++;
  return {
    source, event_id: source === 'stripe' ? (JSON.parse(payload) as { id: string }).id : `bench_${eventNo}_${Math.random().toString(36).slice(2, 8)}`,
    type, stream_key, occurred_at, payload, payload_hash: `sha256:${createHash('sha256').update(payload).digest('hex')}`, received_at: occurred_at,
  };
}

async function store(db: Db, rows: unknown[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) await db('inbox_events').insert(rows.slice(i, i + 100));
}

function pair(tag: string, i: number): { b: BenchBooking; rows: unknown[] } {
  const b = benchBooking(tag, i);
  const c = confirmedBody(b, i);
  const p = paymentBody(b);
  return { b, rows: [row('booking', 'booking.confirmed', b.booking_id, b.confirmed_at, c), row('stripe', 'payment_intent.succeeded', b.booking_id, (JSON.parse(p) as { created: number }).created ? new Date((JSON.parse(p) as { created: number }).created * 1000).toISOString() : b.confirmed_at, p)] };
}

async function backlog(db: Db, tag: string, from: number, count: number, cancelled: BenchBooking[], tickAt: string): Promise<number> {
  const rows: unknown[] = [];
  for (let i = from; i < from + count; i++) rows.push(...pair(tag, i).rows);
  // Guest cancellations of already-paid bookings, with the consent of the preview at that moment.
  for (const b of cancelled) {
    const at = '2026-08-20T08:00:00.000Z';
    const p = await previewCancellation(db, b.booking_id, 'guest', at);
    const body = JSON.stringify({ id: `bev_cancel_${b.booking_id}`, type: 'booking.cancel_requested', occurred_at: at, data: { booking_id: b.booking_id, by: 'guest', consent: { outcome_hash: p.outcome_hash, actor: 'guest', consented_at: at } } });
    rows.push(row('booking', 'booking.cancel_requested', b.booking_id, at, body));
  }
  rows.push(row('booking', 'clock.tick', null, tickAt, JSON.stringify({ id: `tick_${tag}_${from}`, type: 'clock.tick', occurred_at: tickAt, data: {} })));
  await store(db, rows);
  return rows.length;
}

async function hosts(db: Db): Promise<void> {
  const rows = [];
  for (let h = 0; h < 31; h++) {
    const body = JSON.stringify({ id: `bev_host_${h}`, type: 'host.connected', occurred_at: '2026-07-01T00:00:00Z', data: { host_id: `host_${h}`, stripe_account_id: `acct_1Bench${h}` } });
    rows.push(row('booking', 'host.connected', `host:host_${h}`, '2026-07-01T00:00:00Z', body));
  }
  await store(db, rows);
}

async function run(dialect: 'sqlite' | 'mysql', batchSize: number, statementCache: number | undefined, writes: string) {
  const t = await freshDatabase(dialect);
  let own: Db | null = null;
  try {
    await publishPolicies(t.db, readPolicyDir('./policies'), Date.parse('2026-07-01T00:00:00Z'));
    await hosts(t.db);
    const batches: BatchInfo[] = [];
    // --statement-cache: the dispatcher on a connection of its own with that SQLite statement cache (0: none).
    own = statementCache === undefined ? null : openDb(t.target, { statement_cache: statementCache });
    if (writes === 'text') useTextWrites(own ?? t.db);
    const d = new Dispatcher(own ?? t.db, { logger: silent, batchSize, onBatch: (b) => batches.push(b) });
    const tag = `d${batchSize}`;
    // Warm (untimed): N bookings confirmed and paid.
    await backlog(t.db, tag, 0, N, [], '2026-07-02T00:00:00Z');
    await d.drain();
    batches.length = 0;
    // Timed: N more bookings, 20 % of the first N cancelled, a tick releasing payouts of the first.
    const cancelled = Array.from({ length: Math.floor(N / 5) }, (_, k) => benchBooking(tag, k * 5));
    const events = await backlog(t.db, tag, N, N, cancelled, '2026-09-15T00:00:00Z');
    const timing = args['sql-timing'] ? timeQueries(t.db) : null;
    timing?.take();
    let session: Session | null = null;
    if (typeof args.profile === 'string') {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const server0 = dialect === 'mysql' ? serverCpu_ms() : null;
    const done = await d.drain();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const server = server0 === null ? null : serverCpu_ms()! - server0!;
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      const file = join(args.profile as string, `dispatch-${dialect}-${batchSize}.cpuprofile`);
      mkdirSync(args.profile as string, { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      console.log(`profile: ${file}`);
      session.disconnect();
    }
    if (timing) console.log(formatTiming(timing.take()));
    const statuses = await t.db('event_results').groupBy('status').select('status').count({ n: '*' });
    const dead = (statuses as Array<{ status: string }>).find((s) => s.status === 'dead_lettered');
    if (done !== events || dead) throw new Error(`expected ${events} events dispatched and no dead letter, got ${done}: ${JSON.stringify(statuses)}`);
    const intents = await t.db('outbox_intents').groupBy('operation').select('operation').count({ n: '*' });
    const statements = batches.reduce((s, b) => s + b.statements, 0);
    const phase = (k: 'load_ms' | 'decide_ms' | 'write_ms' | 'commit_ms') => batches.reduce((s, b) => s + b[k], 0);
    const phases = `load ${phase('load_ms').toFixed(0)} / decide ${phase('decide_ms').toFixed(0)} / write ${phase('write_ms').toFixed(0)} / commit+inbox ${phase('commit_ms').toFixed(0)} ms`;
    return { events, ms, phases, perSecond: events / (ms / 1000), cpuPerEvent_ms: (cpu.user + cpu.system) / 1000 / events, serverCpuPerEvent_ms: server === null ? null : server / events, statements, batches: batches.length, intents };
  } finally {
    await own?.destroy();
    await t.drop();
  }
}

for (const dialect of dialects().filter((d) => !args.only || d === args.only)) {
  for (const batchSize of BATCHES) {
    for (let round = 0; round < (typeof args.rounds === 'number' ? args.rounds : 1); round++) {
      for (const cache of CACHES) for (const writes of WRITES) {
        const r = await run(dialect, batchSize, cache, writes);
        console.log(`${dialect} batch ${batchSize}${cache !== undefined ? ` statement cache ${cache}` : ''} ${writes} writes: ${r.events} events in ${r.ms.toFixed(0)} ms = ${r.perSecond.toFixed(0)} events/s; CPU ${r.cpuPerEvent_ms.toFixed(3)} ms/event${r.serverCpuPerEvent_ms === null ? '' : ` (MariaDB server ${r.serverCpuPerEvent_ms.toFixed(3)})`}; ${r.statements} statements in ${r.batches} batches (${(r.statements / r.events).toFixed(2)}/event); ${r.phases}; intents ${JSON.stringify(r.intents)}; rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
      }
    }
  }
}
