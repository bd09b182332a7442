/**
 * Ingest bench (issues 3 and 11), on the issue-11 mix — booking confirmations, their payments, 20 %
 * guest cancellations with refunds, clock ticks releasing host payouts, one hot platform account:
 * applied throughput (a stored backlog drained in batches ≤ 500, beside the same handlers in batches
 * of 1), accepted throughput over HTTP (beside raw INSERTs of the same rows), acknowledgement
 * latency at 1,000/s offered (dispatch paused / in the sidecar's process / in a `mybnb worker`
 * process), and a sustained run at the accepted rate that ends by measuring the backlog.
 *
 *   node --import tsx bench/ingest/run.ts [--quick] [--only sqlite|mysql] [--sustained S] [--no-docs] [--profile DIR] [--sql-timing]
 *
 * --only D        one dialect (sqlite or mysql; the issue's targets are on MariaDB).
 * --sustained S   seconds of the sustained run (default 15, --quick 5; the issue's run is 60).
 * --tick-ms N     how often the sidecar stores a clock tick during the live runs (default 5000).
 * --events N      at most N requests in the accept run (default 12,000; --quick 3,000; it also stops after 6 s, 3 s).
 * --quick         small sizes: a smoke run.
 * --no-docs       print the table only; leave docs/benchmarks.md alone.
 * --profile DIR   CPU-profile the sidecar during each timed phase: DIR/ingest-<dialect>-<phase>.cpuprofile
 *                 (summarise one with bench/ingest/profile-summary.ts).
 * --sql-timing    time every query the sidecar runs and print the breakdown per phase.
 *
 * The sidecar (startSidecar, the composition root, on a fresh migrated database) runs in its own
 * process; this process is the load generator (keep-alive HTTP/1.1 to 127.0.0.1). The baselines run
 * in a third process, `mybnb worker` in a fourth. Every load is bounded in count and stops by itself.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toInt } from '../../sidecar/src/db/connect.js';
import { freshDatabase, type Dialect, type TestDatabase } from '../../sidecar/src/testing/databases.js';
import { parseArgs } from '../lib/args.js';
import { runChild } from '../lib/child.js';
import { rewriteSection } from '../lib/docs-section.js';
import { formatNumber, formatRatio, markdownTable } from '../lib/table.js';
import { perSecond } from '../lib/timing.js';
import type { BaselineOrder, BaselineResult } from './baseline.js';
import { load1, machine, ms, mysqlVersion, mysqlWhere, sqliteVersion } from '../lib/env.js';
import { closedLoop, LoadClient, openLoop, quantile, statusSummary, type RunResult } from './load.js';
import { SidecarControl } from './sidecar-control.js';
import type { CancelTarget, DrainResult } from './sidecar-process.js';
import { WorkerProcess } from './worker-process.js';
import { formatTiming } from './sql-timing.js';
import { liveMix } from './workload.js';
import { serverCpu_ms } from './server-cpu.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS_FILE = join(HERE, '..', '..', 'docs', 'benchmarks.md');
const BASELINE_SCRIPT = join(HERE, 'baseline.ts');

const ACCEPT_AIM = 2000;
const APPLIED_AIM = 2000;
const P99_AIM_MS = 25;
const OFFERED_RATE = 1000;
const IN_FLIGHT = 64;
/** Simulated instants: the clock's ticks (payouts due by then are released) and the guests' cancellations. */
const TICK_AT = '2026-09-15T00:00:00Z';
const CANCEL_AT = '2026-09-15T06:00:00Z';
/** A unit of the live mix is 11 requests (workload.ts liveMix): 5 confirmations, 5 payments, 1 cancellation. */
const UNIT = 11;

type Sizes = {
  applied: number; baseline1: number; accept: number; acceptMaxMs: number; openSeconds: number;
  sustainedSeconds: number; tick_ms: number;
};
type Row = [figure: string, value: string, baseline: string, ratio: string, aim: string];

function sizesFrom(args: Record<string, string | number | boolean>): Sizes {
  const quick = Boolean(args.quick);
  const accept = typeof args.events === 'number' ? args.events : quick ? 3000 : 12_000;
  return {
    applied: quick ? 500 : 2000, baseline1: quick ? 60 : 150, accept, acceptMaxMs: quick ? 3000 : 6000,
    openSeconds: quick ? 2 : 5, sustainedSeconds: typeof args.sustained === 'number' ? args.sustained : quick ? 5 : 15,
    tick_ms: typeof args['tick-ms'] === 'number' ? args['tick-ms'] : 5000,
  };
}

const rateOf = (r: { count: number; ms: number }) => perSecond(r.count, r.ms);
const sentRate = (r: RunResult) => perSecond(r.count, r.send_ms ?? r.ms);

function expectAccepted(r: RunResult, what: string): void {
  const ok = (r.statuses.get(200) ?? 0) + (r.statuses.get(202) ?? 0);
  if (ok !== r.count) throw new Error(`${what}: expected ${r.count} × 200/202, got ${statusSummary(r.statuses)}; first other body: ${r.replies.find((x) => x && x.status !== 200 && x.status !== 202)?.body ?? '(not kept)'}`);
  const dup = r.replies.filter((x) => x && JSON.parse(x.body).duplicate !== false).length;
  if (dup > 0) throw new Error(`${what}: ${dup} replies were duplicates`);
}

async function maxInboxId(t: TestDatabase): Promise<number> {
  return toInt((await t.db('inbox_events').max({ m: 'id' }).first())?.m);
}

async function baseline(source: TestDatabase, dialect: Dialect, order: BaselineOrder): Promise<BaselineResult> {
  const target = await freshDatabase(dialect);
  try {
    return await runChild<BaselineResult>(BASELINE_SCRIPT, { BENCH_SOURCE: JSON.stringify(source.target), BENCH_TARGET: JSON.stringify(target.target), BENCH_ORDER: JSON.stringify(order) });
  } finally {
    await target.drop();
  }
}

type Options = { profileDir?: string; sqlTiming: boolean };
type OpenFigures = { r: RunResult; p50: number; p99: number; max: number; lag99: number; backlog: number | null; applied: number | null; workerCpu: number | null };

/** How many live-mix units (11 requests) `events` requests make, rounded up. */
const unitsFor = (events: number) => Math.max(1, Math.ceil(events / UNIT));

async function benchDialect(dialect: Dialect, sizes: Sizes, log: (s: string) => void, opts: Options): Promise<Row[]> {
  const t = await freshDatabase(dialect);
  const sc = await SidecarControl.start(t.target, { profileDir: opts.profileDir, sqlTiming: opts.sqlTiming });
  const phase = async (name: string) => {
    if (opts.sqlTiming) log(`  SQL during ${name} (${dialect}):\n${formatTiming(await sc.sqlTiming())}`);
  };
  const client = new LoadClient(sc.url, IN_FLIGHT);
  const tag = `ing${Math.random().toString(36).slice(2, 7)}`;
  const rows: Row[] = [];
  let worker: WorkerProcess | null = null;
  try {
    // Guests cancel already-paid bookings (one per 5 new bookings everywhere), with the consent of the
    // preview they saw: warm-ups (untimed) confirm and pay bookings, release the payouts due by
    // TICK_AT, and compute those previews. Targets: check-in ≥ 20 days after 1 September (refundable).
    let nextBooking = 0;
    const take = (n: number) => {
      const from = nextBooking;
      nextBooking += n;
      return from;
    };
    const targets: CancelTarget[] = [];
    let nextTarget = 0;
    const warmUp = async (cancellations: number) => {
      const bookings = Math.ceil((cancellations * 90) / 70) + 90;
      const from = take(bookings);
      await sc.feedPairs(tag, from, bookings);
      await sc.storeTick(TICK_AT);
      await sc.drain();
      const candidates = Array.from({ length: bookings }, (_, k) => from + k).filter((i) => i % 90 >= 20).slice(0, cancellations);
      targets.push(...(await sc.cancelTargets(tag, candidates, CANCEL_AT)));
      log(`  warm-up: ${bookings} bookings confirmed and paid, ${candidates.length} cancellation previews`);
    };
    const cancels = (n: number) => {
      if (nextTarget + n > targets.length) throw new Error(`bench plan: ${targets.length} cancellation targets, ${nextTarget + n} needed`);
      nextTarget += n;
      return targets.slice(nextTarget - n, nextTarget);
    };
    const openUnits = unitsFor(OFFERED_RATE * sizes.openSeconds);
    await sc.pause();
    await sc.feedHosts(31);
    await warmUp(Math.ceil((sizes.applied + sizes.baseline1) / 5) + unitsFor(sizes.accept) + 10);
    await phase('warm-up');

    // Applied: a stored backlog of the mix drained by the dispatcher (batches of 500), then the same
    // mix drained by the same handlers in batches of 1 (one event per transaction: the shape before issue 11).
    const drainMix = async (name: string, bookings: number, drain: () => Promise<DrainResult>) => {
      await sc.feedPairs(tag, take(bookings), bookings);
      await sc.feedCancellations(cancels(Math.floor(bookings / 5)), CANCEL_AT);
      await sc.storeTick(TICK_AT);
      const o0 = await sc.outcomes();
      const cpu0 = await sc.cpuMs();
      const server0 = dialect === 'mysql' ? serverCpu_ms() : null;
      const d = await sc.profiled(`ingest-${dialect}-${name}`, drain);
      const server1 = server0 === null ? null : serverCpu_ms();
      const cpu = (await sc.cpuMs()) - cpu0;
      // The database server's CPU over the drain (MariaDB on this machine; shared with whatever else uses it).
      const serverCpu = server0 === null || server1 === null ? null : server1 - server0;
      const o1 = await sc.outcomes();
      const expected = bookings * 2 + Math.floor(bookings / 5) + 1;
      const dead = (o1.results.dead_lettered ?? 0) - (o0.results.dead_lettered ?? 0);
      const refunds = (o1.intents.refund ?? 0) - (o0.intents.refund ?? 0);
      const transfers = (o1.intents.transfer ?? 0) - (o0.intents.transfer ?? 0);
      const refused = o1.refused_cancellations - o0.refused_cancellations;
      if (d.events !== expected || dead > 0 || o1.parked_now > 0 || refused > 0 || refunds === 0 || (transfers === 0 && bookings >= 180)) {
        throw new Error(`applied (${name}): expected ${expected} events, no dead letter, parking or refused cancellation; got ${d.events} events, ${dead} dead letters, ${o1.parked_now} parked, ${refused} refused, ${refunds} refunds`);
      }
      await phase(`the applied drain (${name})`);
      const rate = perSecond(d.events, d.ms);
      log(`  applied (${name}): ${formatNumber(rate)} events/s (${d.events} events: ${refunds} refunds, ${transfers} payouts; ${ms(d.ms)}; sidecar CPU ${(cpu / d.events).toFixed(3)} ms/event${serverCpu === null ? '' : `, MariaDB server CPU ${(serverCpu / d.events).toFixed(3)} ms/event`})`);
      return { d, rate, cpu, serverCpu, refunds, transfers, entries: d.after.entries - d.before.entries };
    };
    const batched = await drainMix('applied', sizes.applied, () => sc.drain());
    const single = await drainMix('applied-batch-1', sizes.baseline1, () => sc.drainBatch(1));

    // Accepted: as many in flight as the generator keeps, dispatch paused (the accept path only), on the live mix.
    const acceptMix = liveMix(tag, take(unitsFor(sizes.accept) * 5), unitsFor(sizes.accept), cancels(unitsFor(sizes.accept)), CANCEL_AT);
    const afterId = await maxInboxId(t);
    const cpu1 = await sc.cpuMs();
    const accept = await sc.profiled(`ingest-${dialect}-accept`, () => closedLoop(client, acceptMix.requests, IN_FLIGHT, true, sizes.acceptMaxMs));
    const acceptCpu = (await sc.cpuMs()) - cpu1;
    await phase('the throughput run (ingest only)');
    expectAccepted(accept, 'throughput');
    const stored = toInt((await t.db('inbox_events').where('id', '>', afterId).count({ n: '*' }).first())?.n);
    if (stored !== accept.count) throw new Error(`throughput: ${stored} rows stored, ${accept.count} answered`);
    const acceptRate = rateOf(accept);
    log(`  accepted: ${formatNumber(acceptRate)}/s, ${accept.count} events (p50 ${ms(quantile(accept.latencies_ms, 0.5))}, p99 ${ms(quantile(accept.latencies_ms, 0.99))}; sidecar CPU ${(acceptCpu / accept.count).toFixed(3)} ms/event)`);
    // What was accepted is then applied (timed: the backlog HTTP ingestion left, in its arrival order).
    const cpu2 = await sc.cpuMs();
    const backlogDrain = await sc.drain();
    const backlogCpu = (await sc.cpuMs()) - cpu2;
    const backlogRate = perSecond(backlogDrain.events, backlogDrain.ms);
    log(`  applied (the accepted backlog): ${formatNumber(backlogRate)} events/s (${backlogDrain.events} events, ${ms(backlogDrain.ms)}; CPU ${(backlogCpu / Math.max(1, backlogDrain.events)).toFixed(3)} ms/event)`);

    // Previews for the open loops and the sustained run (its rate is the accepted rate).
    const sustainedRate = Math.max(100, Math.floor(acceptRate / 100) * 100);
    await warmUp(3 * openUnits + unitsFor(sustainedRate * sizes.sustainedSeconds) + 10);

    // Acknowledgement latency at a fixed offered load: dispatch paused (the ack path alone), dispatch
    // live in the sidecar's own process, dispatch live in a `mybnb worker` process beside it.
    const openRun = async (name: string, rate: number, seconds: number, maxOutstanding: number): Promise<OpenFigures> => {
      const units = unitsFor(rate * seconds);
      const mix = liveMix(tag, take(units * 5), units, cancels(units), CANCEL_AT);
      const fated0 = await sc.fated();
      const wcpu0 = worker ? worker.cpuMs() : 0;
      const r = await sc.profiled(`ingest-${dialect}-${name}`, () => openLoop(client, mix.requests, rate, true, maxOutstanding));
      const backlog = await sc.backlog();
      const fated1 = await sc.fated();
      expectAccepted(r, `open loop (${name})`);
      const f: OpenFigures = {
        r, p50: quantile(r.latencies_ms, 0.5), p99: quantile(r.latencies_ms, 0.99), max: quantile(r.latencies_ms, 1), lag99: quantile(r.send_lag_ms!, 0.99),
        backlog, applied: perSecond(fated1 - fated0, r.ms), workerCpu: worker ? (worker.cpuMs() - wcpu0) / Math.max(1, fated1 - fated0) : null,
      };
      log(`  open loop ${formatNumber(rate)}/s for ${seconds} s, ${name}: p50 ${ms(f.p50)} p99 ${ms(f.p99)} max ${ms(f.max)} (generator lag p99 ${ms(f.lag99)}), ${r.count} sent at ${formatNumber(sentRate(r))}/s; applied meanwhile ${formatNumber(f.applied!)}/s, backlog at the end ${backlog}${r.overloaded ? ', OVERLOADED: stopped' : ''}`);
      return f;
    };
    await sc.ticks(sizes.tick_ms, TICK_AT);
    const alone = await openRun('dispatch-paused', OFFERED_RATE, sizes.openSeconds, OFFERED_RATE);
    alone.backlog = null;
    await sc.resume();
    await sc.waitDispatched();
    const inProcess = await openRun('dispatch-in-process', OFFERED_RATE, sizes.openSeconds, OFFERED_RATE);
    await sc.waitDispatched();
    await phase('the open loops');
    await sc.pause();
    worker = await WorkerProcess.start(t);
    await sc.waitDispatched();
    const inWorker = await openRun('dispatch-worker-process', OFFERED_RATE, sizes.openSeconds, OFFERED_RATE);
    await sc.waitDispatched();

    // Sustained: the accepted rate offered for sizes.sustainedSeconds, dispatch in the worker process.
    const sustained = await openRun('sustained', sustainedRate, sizes.sustainedSeconds, sustainedRate);
    await sc.ticks(0, TICK_AT);
    const catchUp0 = performance.now();
    await sc.waitDispatched(300_000);
    const catchUp_ms = performance.now() - catchUp0;
    await worker.stop();
    worker = null;
    const final = await sc.outcomes();
    if ((final.results.dead_lettered ?? 0) > 0 || final.refused_cancellations > 0) throw new Error(`live phases: ${final.results.dead_lettered ?? 0} dead letters, ${final.refused_cancellations} refused cancellations: ${JSON.stringify(final)}`);
    log(`  after the live phases: ${JSON.stringify(final)}; sustained backlog caught up in ${ms(catchUp_ms)}`);
    client.close();
    await sc.stop();

    const warmRows = IN_FLIGHT * 2;
    const raw1 = await baseline(t, dialect, { mode: 'single', after_id: afterId, rows: Math.min(3000, accept.count - warmRows), warmup: warmRows, concurrency: IN_FLIGHT, group: 1 });
    const grouped = await baseline(t, dialect, { mode: 'grouped', after_id: afterId, rows: accept.count - warmRows, warmup: warmRows, concurrency: 1, group: IN_FLIGHT });
    const singleRate = perSecond(raw1.rows, raw1.ms);
    const groupedRate = perSecond(grouped.rows, grouped.ms);
    log(`  raw INSERT: 1/transaction ${formatNumber(singleRate)}/s, ${IN_FLIGHT}/transaction ${formatNumber(groupedRate)}/s`);

    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const openRow = (f: OpenFigures, label: string, aim: boolean): Row => [
      `ack latency at ${formatNumber(OFFERED_RATE)}/s offered, open loop, ${label} (${formatNumber(f.r.count)} requests): p50 / p99 / max`,
      `${ms(f.p50)} / ${ms(f.p99)} / ${ms(f.max)}`,
      `${f.r.overloaded ? `**overloaded**: stopped after ${formatNumber(f.r.count)} with ${formatNumber(OFFERED_RATE)} unanswered; ` : ''}sent at ${formatNumber(sentRate(f.r))}/s; generator lag p99 ${ms(f.lag99)}` +
        `${f.backlog !== null ? `; applied meanwhile ${formatNumber(f.applied!)}/s, backlog at the end ${f.backlog.toLocaleString('en-US')}` : ''}${f.workerCpu !== null ? `; worker CPU ${f.workerCpu.toFixed(2)} ms/event` : ''}`,
      '', aim ? `p99 < ${P99_AIM_MS} ms ${met(f.p99 < P99_AIM_MS && !f.r.overloaded)}` : '',
    ];
    const appliedAim = (r: number) => `≥ ${formatNumber(APPLIED_AIM)}/s ${met(r >= APPLIED_AIM)}`;
    const mixOf = (x: typeof batched) => `${formatNumber(x.d.events)} stored events: confirmations, payments, ${formatNumber(x.refunds)} cancellations with refunds, a tick releasing ${formatNumber(x.transfers)} payouts; ${formatNumber(x.entries)} entries`;
    rows.push(
      [`applied: dispatcher (batches ≤ 500) drains ${mixOf(batched)}`, `${formatNumber(batched.rate)}/s`,
        `${formatNumber(single.rate)}/s the same handlers in batches of 1 (${formatNumber(single.d.events)} events of the same mix)`, formatRatio(batched.rate / single.rate), appliedAim(batched.rate)],
      ['', '', `sidecar CPU ${(batched.cpu / batched.d.events).toFixed(2)} vs ${(single.cpu / single.d.events).toFixed(2)} ms/event` +
        (batched.serverCpu !== null && single.serverCpu !== null ? `; MariaDB server CPU ${(batched.serverCpu / batched.d.events).toFixed(2)} vs ${(single.serverCpu / single.d.events).toFixed(2)} ms/event` : ''), '', ''],
      [`applied: the backlog the accept run left (${formatNumber(backlogDrain.events)} events in arrival order)`, `${formatNumber(backlogRate)}/s`, `${formatNumber(acceptRate)}/s accepted (below)`, formatRatio(backlogRate / acceptRate), appliedAim(backlogRate)],
      [`accepted: verified + stored, the live mix over HTTP, ${IN_FLIGHT} in flight, dispatch paused (${formatNumber(accept.count)} requests)`,
        `${formatNumber(acceptRate)}/s`, `${formatNumber(singleRate)}/s raw INSERT 1/tx, ${IN_FLIGHT} in flight`, formatRatio(acceptRate / singleRate), `≥ ${formatNumber(ACCEPT_AIM)}/s ${met(acceptRate >= ACCEPT_AIM)}`],
      ['', '', `${formatNumber(groupedRate)}/s raw INSERT ${IN_FLIGHT} rows/tx`, formatRatio(acceptRate / groupedRate), ''],
      [`  its acknowledgement latency at ${IN_FLIGHT} in flight, p50 / p99`, `${ms(quantile(accept.latencies_ms, 0.5))} / ${ms(quantile(accept.latencies_ms, 0.99))}`, `sidecar CPU ${(acceptCpu / accept.count).toFixed(2)} ms/event`, '', ''],
      openRow(alone, 'dispatch paused (the ack path alone)', false),
      openRow(inProcess, 'dispatch live in the sidecar process', true),
      openRow(inWorker, 'dispatch live in a `mybnb worker` process', true),
      [`sustained: the accepted rate offered for ${sizes.sustainedSeconds} s (${formatNumber(sustained.r.count)} requests), dispatch in the worker process: backlog at the end`,
        `${(sustained.backlog ?? 0).toLocaleString('en-US')} events (${((sustained.backlog ?? 0) / sustainedRate).toFixed(2)} s of load)`,
        `offered ${formatNumber(sustainedRate)}/s, sent at ${formatNumber(sentRate(sustained.r))}/s${sustained.r.overloaded ? ' (**overloaded**: sending stopped)' : ''}; applied meanwhile ${formatNumber(sustained.applied!)}/s; ack p50 / p99 ${ms(sustained.p50)} / ${ms(sustained.p99)}; caught up ${ms(catchUp_ms)} after the last reply`,
        formatRatio(sustained.applied! / sentRate(sustained.r)), `≤ 1 s of load ${met((sustained.backlog ?? Infinity) <= sustainedRate && !sustained.r.overloaded)}`],
    );
  } finally {
    client.close();
    await worker?.stop().catch(() => undefined);
    await sc.stop().catch(() => undefined);
    await t.drop();
  }
  return rows;
}

function tableOf(rows: Row[]): string {
  return markdownTable(['figure', 'value', 'baseline / context', 'ratio', 'aim'], rows);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { numbers: ['events', 'sustained', 'tick-ms'], flags: ['quick', 'no-docs', 'sql-timing'], strings: ['profile', 'only'] });
  const sizes = sizesFrom(args);
  const profileDir = typeof args.profile === 'string' ? resolve(args.profile) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const opts: Options = { profileDir, sqlTiming: Boolean(args['sql-timing']) };
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const loadBefore = load1();
  const sections: string[] = [];
  const only = typeof args.only === 'string' ? args.only : undefined;
  if (!only || only === 'sqlite') {
    const v = await sqliteVersion();
    log(`ingest: SQLite ${v}`);
    sections.push(`### SQLite ${v} (WAL, synchronous=FULL)\n\n${tableOf(await benchDialect('sqlite', sizes, log, opts))}`);
  }
  if (!only || only === 'mysql') {
    const v = await mysqlVersion();
    if (v) {
      log(`ingest: MariaDB/MySQL ${v}`);
      sections.push(`### MariaDB/MySQL ${v} at ${mysqlWhere} (app user, READ COMMITTED)\n\n${tableOf(await benchDialect('mysql', sizes, log, opts))}`);
    } else {
      sections.push(`### MariaDB/MySQL\n\nSKIPPED: not reachable at ${mysqlWhere}.`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const cmd = `node --import tsx bench/ingest/run.ts${args.quick ? ' --quick' : ''}${only ? ` --only ${only}` : ''}${typeof args.sustained === 'number' ? ` --sustained ${args.sustained}` : ''}${typeof args.events === 'number' ? ` --events ${args.events}` : ''}`;
  const body = [
    `Run ${new Date().toISOString()} with \`${cmd}\` on ${machine()}; took ${seconds.toFixed(0)} s; ` +
      `**1-minute load average ${loadBefore} before, ${load1()} after** (\`uptime\`; other work on the machine lowers every figure: compare each figure with its baseline from the same run).`,
    '',
    `Setup: a real sidecar (\`startSidecar\`, fresh migrated database, logging off, rate limit out of the way) in its own node process; ` +
      `**the load generator is a separate process** on the same cores (keep-alive HTTP/1.1 to 127.0.0.1), the raw-INSERT baselines a third, \`mybnb worker\` a fourth. ` +
      `*The mix* (issue 11): booking.confirmed (signed by the booking engine's key), payment_intent.succeeded (Stripe-signed with the SDK's helper; one hot platform account in every payment), ` +
      `guest cancellations of already-paid bookings — one per five new bookings (20 %) — consenting to the outcome hash of the preview computed beforehand (refund decisions, refund entries, outbox refund intents), ` +
      `and clock ticks stored by the sidecar (every ${sizes.tick_ms / 1000} s during the live runs; one per stored backlog) releasing the host payouts due (transfer decisions and intents). 6 cancellation policies, 5 time zones, 31 hosts. ` +
      `Every reply is checked (200/202, not a duplicate), every event checked to end with a result and no dead letter, parking or refused cancellation. ` +
      `*Applied*: a stored backlog of the mix drained by \`Dispatcher.drain()\` (batches ≤ 500, one transaction each), beside the same handlers in batches of 1 in the same run and database. ` +
      `*Accepted*: ${IN_FLIGHT} requests of the live mix in flight for ${formatNumber(sizes.accept)} requests or ${sizes.acceptMaxMs / 1000} s, dispatch paused; beside raw knex INSERTs of the very rows (one per transaction with ${IN_FLIGHT} in flight; ${IN_FLIGHT} rows per transaction). ` +
      `*Open loop*: request i is sent at i/rate s whatever came back; latency runs from that scheduled time; if one second of load is unanswered the run stops and says *overloaded*. ` +
      `At ${formatNumber(OFFERED_RATE)}/s for ${sizes.openSeconds} s: dispatch paused, dispatch live in the sidecar's own process (same event loop), dispatch live in a \`mybnb worker\` process (the sidecar's dispatcher stopped; the worker holds the dispatch lease). ` +
      `*Sustained*: the accepted rate (rounded down to 100/s) offered for ${sizes.sustainedSeconds} s with dispatch in the worker; the backlog is what was stored and not yet applied when the last reply came back (aim: ≤ one second of load). ` +
      `*CPU* is the process's user + system CPU time over the phase, per event: the figure least moved by other load. The 60 s run of the issue: \`node --import tsx bench/ingest/run.ts --only mysql --sustained 60\`.`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (!args['no-docs']) {
    rewriteSection(DOCS_FILE, 'ingest', '## Ingest', body);
    log(`wrote the Ingest section of ${DOCS_FILE}`);
  }
}

await main();
