/**
 * Ingest bench: verified + durably stored Stripe webhooks per second (beside raw INSERTs of the same
 * rows), acknowledgement latency at a fixed offered load, and applied throughput (events decided
 * and posted by dispatch), on SQLite and (when reachable) MariaDB/MySQL.
 *
 *   node --import tsx bench/ingest/run.ts [--quick] [--events N] [--no-docs] [--profile DIR] [--only sqlite|mysql]
 *
 * --events N    at most N webhooks in the throughput run (default 12,000; --quick 3,000); it also stops after 12 s (4 s).
 * --quick       small sizes: a smoke run of well under a minute.
 * --no-docs     print the table only; leave docs/benchmarks.md alone.
 * --profile DIR CPU-profile the sidecar during each timed phase: DIR/ingest-<dialect>-<phase>.cpuprofile
 *               (summarise one with bench/ingest/profile-summary.ts).
 * --sql-timing  time every query the sidecar runs and print the breakdown per phase.
 * --only D      one dialect (sqlite or mysql); the docs are left alone.
 *
 * The sidecar (startSidecar, the composition root, on a fresh migrated database) runs in its own
 * process; this process is the load generator (keep-alive HTTP/1.1 to 127.0.0.1). The baselines run
 * in a third process. Every load is bounded in count and stops by itself.
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
import { formatTiming } from './sql-timing.js';
import { signedChargeWebhooks } from './workload.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS_FILE = join(HERE, '..', '..', 'docs', 'benchmarks.md');
const BASELINE_SCRIPT = join(HERE, 'baseline.ts');

const ACCEPT_AIM = 2000;
const APPLIED_AIM = 2000;
const P99_AIM_MS = 25;
const OFFERED_RATE = 1000;
const IN_FLIGHT = 64;

type Sizes = { accept: number; acceptMaxMs: number; openSeconds: number; pairs: number; warmPairs: number; single: number; warm: number };
type Row = [figure: string, value: string, baseline: string, ratio: string, aim: string];

function sizesFrom(args: Record<string, string | number | boolean>): Sizes {
  const quick = Boolean(args.quick);
  const accept = typeof args.events === 'number' ? args.events : quick ? 3000 : 12_000;
  return {
    accept, acceptMaxMs: quick ? 4000 : 12_000, openSeconds: quick ? 2 : 5, pairs: quick ? 300 : 1200, warmPairs: quick ? 40 : 100,
    single: quick ? 1000 : 3000, warm: quick ? 150 : 400,
  };
}

/** Past this many unanswered requests (one second of offered load) an open loop stops: the server is not keeping up. */
const MAX_OUTSTANDING = OFFERED_RATE;

const rateOf = (r: { count: number; ms: number }) => perSecond(r.count, r.ms);
const sentRate = (r: RunResult) => perSecond(r.count, r.send_ms ?? r.ms);

function expectAll(r: RunResult, status: number, what: string): void {
  const ok = r.statuses.get(status) ?? 0;
  if (ok !== r.count) throw new Error(`${what}: expected ${r.count} × ${status}, got ${statusSummary(r.statuses)}; first other body: ${r.replies.find((x) => x && x.status !== status)?.body ?? '(not kept)'}`);
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
type OpenFigures = { r: RunResult; p50: number; p99: number; max: number; lag99: number; backlog: number | null };

async function benchDialect(dialect: Dialect, sizes: Sizes, log: (s: string) => void, opts: Options): Promise<Row[]> {
  const t = await freshDatabase(dialect);
  const sc = await SidecarControl.start(t.target, { profileDir: opts.profileDir, sqlTiming: opts.sqlTiming });
  const phase = async (name: string) => {
    if (opts.sqlTiming) log(`  SQL during ${name} (${dialect}):\n${formatTiming(await sc.sqlTiming())}`);
  };
  const client = new LoadClient(sc.url, IN_FLIGHT);
  const tag = `ing${Math.random().toString(36).slice(2, 7)}`;
  const rows: Row[] = [];
  try {
    // Applied: a stored backlog of confirmation + payment pairs, drained by the dispatcher.
    await sc.pause();
    await sc.feedPairs(tag, 0, sizes.warmPairs);
    await sc.drain(); // untimed: warms the handlers
    await sc.feedPairs(tag, sizes.warmPairs, sizes.pairs);
    await phase('warm-up and feeding');
    const cpu0 = await sc.cpuMs();
    const d = await sc.profiled(`ingest-${dialect}-applied`, () => sc.drain());
    const appliedCpu = (await sc.cpuMs()) - cpu0;
    await phase('the applied drain');
    const processed = (d.after.results.processed ?? 0) - (d.before.results.processed ?? 0);
    const posted = d.after.entries - d.before.entries;
    if (d.events !== sizes.pairs * 2 || processed !== d.events || posted !== sizes.pairs || d.after.parkings !== d.before.parkings || (d.after.results.dead_lettered ?? 0) > 0) {
      throw new Error(`applied: expected ${sizes.pairs * 2} events processed and ${sizes.pairs} entries, got ${JSON.stringify(d)}`);
    }
    const applied = perSecond(d.events, d.ms);
    log(`  applied: ${formatNumber(applied)} events/s (${d.events} events, ${posted} entries, ${ms(d.ms)}; sidecar CPU ${(appliedCpu / d.events).toFixed(3)} ms/event)`);
    const bookings = sizes.warmPairs + sizes.pairs;

    // Acknowledgement latency at a fixed offered load: with dispatch live (it applies each charge as
    // it lands, in the same process), then with dispatch paused (the acknowledgement path alone).
    await sc.resume();
    expectAll(await closedLoop(client, signedChargeWebhooks(tag, bookings, sizes.warm), IN_FLIGHT, true), 200, 'warm-up');
    await sc.waitDispatched();
    await phase('the warm-up webhooks');
    const openRun = async (name: string): Promise<OpenFigures> => {
      const requests = signedChargeWebhooks(tag, bookings, OFFERED_RATE * sizes.openSeconds);
      const r = await sc.profiled(`ingest-${dialect}-${name}`, () => openLoop(client, requests, OFFERED_RATE, true, MAX_OUTSTANDING));
      expectAll(r, 200, `open loop (${name})`);
      const f = { r, p50: quantile(r.latencies_ms, 0.5), p99: quantile(r.latencies_ms, 0.99), max: quantile(r.latencies_ms, 1), lag99: quantile(r.send_lag_ms!, 0.99), backlog: null };
      log(`  open loop ${OFFERED_RATE}/s, ${name}: p50 ${ms(f.p50)} p99 ${ms(f.p99)} max ${ms(f.max)} (generator lag p99 ${ms(f.lag99)}), ${r.count} sent at ${formatNumber(sentRate(r))}/s${r.overloaded ? ', OVERLOADED: stopped' : ''}`);
      return f;
    };
    const live: OpenFigures = await openRun('dispatch-live');
    live.backlog = await sc.backlog();
    await phase('the open loop with dispatch live');
    await sc.pause();
    const alone = await openRun('dispatch-paused');
    await phase('the open loop with dispatch paused');

    // Accepted throughput: as many in flight as the generator keeps, dispatch paused (accept path only).
    const afterId = await maxInboxId(t);
    const acceptRequests = signedChargeWebhooks(tag, bookings, sizes.accept);
    const cpu1 = await sc.cpuMs();
    const accept = await sc.profiled(`ingest-${dialect}-accept`, () => closedLoop(client, acceptRequests, IN_FLIGHT, true, sizes.acceptMaxMs));
    const acceptCpu = (await sc.cpuMs()) - cpu1;
    await phase('the throughput run (ingest only)');
    expectAll(accept, 200, 'throughput');
    const fresh = accept.replies.filter((r) => JSON.parse(r.body).duplicate === false).length;
    const stored = toInt((await t.db('inbox_events').where('id', '>', afterId).count({ n: '*' }).first())?.n);
    if (fresh !== accept.count || stored !== accept.count) throw new Error(`throughput: ${fresh} acknowledged as new, ${stored} rows stored, ${accept.count} answered`);
    const acceptRate = rateOf(accept);
    log(`  accepted: ${formatNumber(acceptRate)}/s, ${accept.count} events (p50 ${ms(quantile(accept.latencies_ms, 0.5))}, p99 ${ms(quantile(accept.latencies_ms, 0.99))}; sidecar CPU ${(acceptCpu / accept.count).toFixed(3)} ms/event)`);
    client.close();
    await sc.stop();

    const warmRows = IN_FLIGHT * 2;
    const single = await baseline(t, dialect, { mode: 'single', after_id: afterId, rows: Math.min(sizes.single, accept.count - warmRows), warmup: warmRows, concurrency: IN_FLIGHT, group: 1 });
    const grouped = await baseline(t, dialect, { mode: 'grouped', after_id: afterId, rows: accept.count - warmRows, warmup: warmRows, concurrency: 1, group: IN_FLIGHT });
    const singleRate = perSecond(single.rows, single.ms);
    const groupedRate = perSecond(grouped.rows, grouped.ms);
    log(`  raw INSERT: 1/transaction ${formatNumber(singleRate)}/s, ${IN_FLIGHT}/transaction ${formatNumber(groupedRate)}/s`);

    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const openRow = (f: OpenFigures, label: string): Row => [
      `ack latency at ${formatNumber(OFFERED_RATE)}/s offered, open loop, ${label} (${formatNumber(f.r.count)} events): p50 / p99 / max`,
      `${ms(f.p50)} / ${ms(f.p99)} / ${ms(f.max)}`,
      `${f.r.overloaded ? `**overloaded**: stopped after ${formatNumber(f.r.count)} with ${formatNumber(MAX_OUTSTANDING)} unanswered; ` : ''}sent at ${formatNumber(sentRate(f.r))}/s; generator lag p99 ${ms(f.lag99)}` +
        `${f.backlog !== null ? `; dispatch backlog at the end: ${f.backlog.toLocaleString('en-US')} events` : ''}`,
      '', `p99 < ${P99_AIM_MS} ms ${met(f.p99 < P99_AIM_MS && !f.r.overloaded)}`,
    ];
    rows.push(
      [`accepted: verified + stored Stripe webhooks, ${IN_FLIGHT} in flight, dispatch paused (${formatNumber(accept.count)} events)`,
        `${formatNumber(acceptRate)}/s`, `${formatNumber(singleRate)}/s raw INSERT 1/tx, ${IN_FLIGHT} in flight`, formatRatio(acceptRate / singleRate), `≥ ${formatNumber(ACCEPT_AIM)}/s ${met(acceptRate >= ACCEPT_AIM)}`],
      ['', '', `${formatNumber(groupedRate)}/s raw INSERT ${IN_FLIGHT} rows/tx`, formatRatio(acceptRate / groupedRate), ''],
      [`  its acknowledgement latency at ${IN_FLIGHT} in flight, p50 / p99`, `${ms(quantile(accept.latencies_ms, 0.5))} / ${ms(quantile(accept.latencies_ms, 0.99))}`, `sidecar CPU ${(acceptCpu / accept.count).toFixed(2)} ms/event`, '', ''],
      openRow(live, 'dispatch live'),
      openRow(alone, 'dispatch paused'),
      [`applied: dispatcher drains ${formatNumber(d.events)} stored events (booking.confirmed + payment_intent.succeeded pairs) into results + ${formatNumber(posted)} ledger entries`,
        `${formatNumber(applied)}/s`, `${ms(d.ms)} for the drain; sidecar CPU ${(appliedCpu / d.events).toFixed(2)} ms/event`, '', `≥ ${formatNumber(APPLIED_AIM)}/s ${met(applied >= APPLIED_AIM)}`],
    );
  } finally {
    client.close();
    await sc.stop().catch(() => undefined);
    await t.drop();
  }
  return rows;
}

function tableOf(rows: Row[]): string {
  return markdownTable(['figure', 'value', 'baseline / context', 'ratio', 'aim'], rows);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { numbers: ['events'], flags: ['quick', 'no-docs', 'sql-timing'], strings: ['profile', 'only'] });
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
  const cmd = `node --import tsx bench/ingest/run.ts${args.quick ? ' --quick' : ''}${typeof args.events === 'number' ? ` --events ${args.events}` : ''}`;
  const body = [
    `Run ${new Date().toISOString().slice(0, 10)} with \`${cmd}\` (or \`npm run bench\`) on ${machine()}; took ${seconds.toFixed(0)} s; ` +
      `1-minute load average ${loadBefore} before, ${load1()} after (other work on the machine lowers every figure).`,
    '',
    `Setup: a real sidecar (\`startSidecar\`, fresh migrated database, logging off, rate limit out of the way) in its own node process; ` +
      `**the load generator is a separate process** on the same 2 cores (keep-alive HTTP/1.1 to 127.0.0.1, \`node:http\` Agent), ` +
      `and the baselines a third. Webhooks are \`charge.succeeded\` from fixtures/stripe re-keyed per event (distinct event ids, ` +
      `each for one of the bench's paid bookings, so live dispatch really applies them), signed with the SDK's \`generateTestHeaderString\` before the clock starts; ` +
      `the sidecar verifies each with \`stripe.webhooks.constructEvent\` and acknowledges only after its row is committed (group commit, sari/inbox-writer.ts). ` +
      `Every reply is checked (200, not a duplicate) and the stored rows counted. *Accepted*: ${IN_FLIGHT} requests kept in flight for ` +
      `${formatNumber(sizes.accept)} events or ${sizes.acceptMaxMs / 1000} s, whichever comes first, dispatch paused. *Raw INSERT*: the very rows the sidecar stored, read back and ` +
      `inserted into a fresh database with plain knex — one autocommit INSERT per row with ${IN_FLIGHT} in flight, and one ${IN_FLIGHT}-row INSERT ` +
      `per transaction. *Open loop*: request i is sent at i/${formatNumber(OFFERED_RATE)} s whatever came back, for ${sizes.openSeconds} s; latency runs from that ` +
      `scheduled time; if ${formatNumber(MAX_OUTSTANDING)} requests (one second of load) are unanswered the run stops and says *overloaded*. Once with dispatch live ` +
      `(it runs in the sidecar's process and applies each charge as it lands), once paused (the acknowledgement path alone). ` +
      `*Applied*: booking.confirmed + payment_intent.succeeded pairs (6 cancellation policies, 5 time zones) stored through the same verification ` +
      `and inbox writer, then \`dispatcher.drain()\` timed (decision, evidence, ledger posting, state transition per payment); every event checked processed. ` +
      `*Sidecar CPU* is the sidecar process's user + system CPU time over the phase, per event: the figure least moved by other load on the machine.`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (!args['no-docs'] && !only) {
    rewriteSection(DOCS_FILE, 'ingest', '## Ingest', body);
    log(`wrote the Ingest section of ${DOCS_FILE}`);
  }
}

await main();
