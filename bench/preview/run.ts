/**
 * Preview bench: GET /preview/outcome (signed with the reader key) requests per second and latency,
 * answered from memory (the preview read model, issue #11 item 3) and — the baseline, in the same
 * run against the same sidecar and database — loading the booking per request, beside the bare
 * GET /healthz round trip, on SQLite and (when reachable) MariaDB/MySQL.
 *
 *   node --import tsx bench/preview/run.ts [--quick] [--requests N] [--no-docs] [--profile DIR] [--sql-timing] [--only sqlite|mysql]
 *
 * (also `npm run bench:preview`). About 90 s for both dialects at full size; --quick about 40 s.
 *
 * --requests N  at most N requests per closed-loop run (default 20,000; --quick 6,000); runs are also bounded in time.
 * --quick       small sizes: a smoke run.
 * --no-docs     print the table only; leave docs/benchmarks.md alone.
 * --profile DIR CPU-profile the sidecar during the runs: DIR/preview-<dialect>-{healthz,loading,memory}.cpuprofile.
 * --sql-timing  time every query the sidecar runs and print the breakdown per phase.
 *
 * The sidecar runs in its own process (bench/ingest/sidecar-process.ts) on a fresh database holding
 * 1,000 paid bookings (confirmed + paid through the real pipeline, six cancellation policies);
 * this process is the load generator. Every load is bounded in count and stops by itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIsoUtc, parseIsoUtc } from '../../sidecar/src/kernel/index.js';
import { signatureHeaderValue } from '../../sidecar/src/sari/request-signature.js';
import { freshDatabase, type Dialect } from '../../sidecar/src/testing/databases.js';
import { READER_KEY } from '../../sidecar/src/testing/harness.js';
import { parseArgs } from '../lib/args.js';
import { rewriteSection } from '../lib/docs-section.js';
import { formatNumber, markdownTable } from '../lib/table.js';
import { perSecond } from '../lib/timing.js';
import { load1, machine, ms, mysqlVersion, mysqlWhere, sqliteVersion } from '../lib/env.js';
import { closedLoop, LoadClient, openLoop, quantile, statusSummary, type PreparedRequest, type RunResult } from '../ingest/load.js';
import { SidecarControl } from '../ingest/sidecar-control.js';
import type { PreviewStats } from '../ingest/sidecar-process.js';
import { formatTiming } from '../ingest/sql-timing.js';
import { benchBooking } from '../ingest/workload.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS_FILE = join(HERE, '..', '..', 'docs', 'benchmarks.md');

/** Issue #11's aims: ≥ 2,000 previews/s with 16 in flight; p99 < 5 ms at 1,000/s offered. */
const RATE_AIM = 2000;
const OFFERED_PER_S = 1000;
const P99_AIM_MS = 5;
const IN_FLIGHT = 16;
/** Past this many unanswered requests (one second of offered load) an open loop stops: the server is not keeping up. */
const MAX_OUTSTANDING = OFFERED_PER_S;

/** `warm`: requests to warm the JIT on the loading path; the model's warm-up is one request per booking (each loads it once). */
type Sizes = { bookings: number; requests: number; closedMaxMs: number; openSeconds: number; unloaded: number; warm: number };
type Row = [figure: string, memory: string, loading: string, healthz: string, aim: string];

function sizesFrom(args: Record<string, string | number | boolean>): Sizes {
  const quick = Boolean(args.quick);
  const requests = typeof args.requests === 'number' ? args.requests : quick ? 6000 : 20_000;
  return { bookings: quick ? 200 : 1000, requests, closedMaxMs: quick ? 2000 : 5000, openSeconds: quick ? 1.5 : 4, unloaded: quick ? 200 : 300, warm: quick ? 200 : 300 };
}

/** Moments around each booking's windows: long before, days before, hours before, after check-in. */
const OFFSETS_H = [-24 * 45, -24 * 20, -24 * 8, -24 * 3, -36, -12, -1, 6, 30];

/** `count` signed preview requests over the bench bookings, guest and host, at rotating moments. */
function previewRequests(tag: string, bookings: number, count: number): PreparedRequest[] {
  const t = Math.floor(Date.now() / 1000);
  const out: PreparedRequest[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const b = benchBooking(tag, k % bookings);
    const by = Math.floor(k / bookings) % 2 === 0 ? 'guest' : 'host';
    const at = formatIsoUtc(parseIsoUtc(`${b.check_in}T15:00:00Z`) + OFFSETS_H[k % OFFSETS_H.length]! * 3_600_000);
    const path = `/preview/outcome?action=cancel&booking_id=${encodeURIComponent(b.booking_id)}&by=${by}&at=${encodeURIComponent(at)}`;
    out[k] = { method: 'GET', path, headers: { 'MyBnB-Signature': signatureHeaderValue({ ...READER_KEY, t, method: 'GET', pathWithQuery: path }) } };
  }
  return out;
}

function healthzRequests(count: number): PreparedRequest[] {
  return Array.from({ length: count }, () => ({ method: 'GET' as const, path: '/healthz', headers: {} }));
}

function expectOk(r: RunResult, what: string, check?: (body: string) => boolean): void {
  const ok = r.statuses.get(200) ?? 0;
  if (ok !== r.count) throw new Error(`${what}: expected ${r.count} × 200, got ${statusSummary(r.statuses)}; first other body: ${r.replies.find((x) => x && x.status !== 200)?.body ?? '(not kept)'}`);
  if (check) {
    const bad = r.replies.find((x) => !check(x.body));
    if (bad) throw new Error(`${what}: unexpected body ${bad.body.slice(0, 300)}`);
  }
}

const isPreview = (body: string) => {
  const p = JSON.parse(body) as { allowed?: unknown; outcome_hash?: unknown; rule?: { hash?: unknown } };
  return typeof p.allowed === 'boolean' && typeof p.outcome_hash === 'string' && p.outcome_hash.startsWith('sha256:') && typeof p.rule?.hash === 'string';
};

/** `generatorCpuPerRequest_ms`: this process's (the load generator's) CPU over the same throughput run, per request. */
type Figures = { unloaded: RunResult; closed: RunResult; open: RunResult; cpuPerRequest_ms: number; generatorCpuPerRequest_ms: number };

/**
 * A client with IN_FLIGHT keep-alive connections opened (by untimed /healthz requests) just before a
 * timed loop. The sidecar closes a connection idle for 5 s (Node's keepAliveTimeout): one kept
 * across the setup or a previous phase can be closed just as a request is written on it (ECONNRESET
 * on a loaded machine), so every loop starts on fresh connections.
 */
async function freshClient(url: string): Promise<LoadClient> {
  const client = new LoadClient(url, IN_FLIGHT);
  expectOk(await closedLoop(client, healthzRequests(IN_FLIGHT), IN_FLIGHT), 'opening connections');
  return client;
}

async function timed<T>(url: string, run: (client: LoadClient) => Promise<T>): Promise<T> {
  const client = await freshClient(url);
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

async function figuresFor(sc: SidecarControl, requests: () => PreparedRequest[], sizes: Sizes, what: string, check?: (b: string) => boolean): Promise<Figures> {
  const unloaded = await timed(sc.url, (client) => closedLoop(client, requests().slice(0, sizes.unloaded), 1, true));
  expectOk(unloaded, `${what}, 1 in flight`, check);
  const prepared = requests();
  const { closed, cpuPerRequest_ms, generatorCpuPerRequest_ms } = await timed(sc.url, async (client) => {
    const cpu0 = await sc.cpuMs();
    const gen0 = process.cpuUsage();
    const closed = await closedLoop(client, prepared, IN_FLIGHT, true, sizes.closedMaxMs);
    const gen = process.cpuUsage(gen0);
    return { closed, cpuPerRequest_ms: ((await sc.cpuMs()) - cpu0) / closed.count, generatorCpuPerRequest_ms: (gen.user + gen.system) / 1000 / closed.count };
  });
  expectOk(closed, `${what}, ${IN_FLIGHT} in flight`, check);
  const offered = requests().slice(0, OFFERED_PER_S * sizes.openSeconds);
  const open = await timed(sc.url, (client) => openLoop(client, offered, OFFERED_PER_S, true, MAX_OUTSTANDING));
  expectOk(open, `${what}, open loop`, check);
  return { unloaded, closed, open, cpuPerRequest_ms, generatorCpuPerRequest_ms };
}

const p = (r: RunResult, q: number) => quantile(r.latencies_ms, q);
const rate = (r: RunResult) => perSecond(r.count, r.ms);
/** The generator's part of the CPU the two processes spent on the throughput run. */
const share = (x: Figures) => `${Math.round((100 * x.generatorCpuPerRequest_ms) / (x.generatorCpuPerRequest_ms + x.cpuPerRequest_ms))} %`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function benchDialect(dialect: Dialect, sizes: Sizes, log: (s: string) => void, opts: { profileDir?: string; sqlTiming: boolean }): Promise<{ rows: Row[]; stats: PreviewStats }> {
  const t = await freshDatabase(dialect);
  const sc = await SidecarControl.start(t.target, { profileDir: opts.profileDir, sqlTiming: opts.sqlTiming });
  const tag = `pv${Math.random().toString(36).slice(2, 7)}`;
  try {
    await sc.pause();
    await sc.feedPairs(tag, 0, sizes.bookings);
    const d = await sc.drain();
    if (d.after.entries - d.before.entries !== sizes.bookings || d.after.bookings !== sizes.bookings) throw new Error(`setup: ${sizes.bookings} paid bookings expected, got ${JSON.stringify(d.after)}`);
    await sc.resume();
    if (opts.sqlTiming) await sc.sqlTiming(); // forget the setup's queries

    const previews = () => previewRequests(tag, sizes.bookings, sizes.requests);
    const sqlPerRequest = async (name: string, f: Figures) => {
      if (!opts.sqlTiming) return;
      const timing = await sc.sqlTiming();
      const perRequest = timing.reduce((a, b) => a + b.count, 0) / (f.unloaded.count + f.closed.count + f.open.count);
      log(`  SQL during the ${name} runs (${dialect}), ${perRequest.toFixed(2)} queries per request:\n${formatTiming(timing)}`);
    };

    // The baseline: every preview loads its booking and money (6 queries).
    await sc.previewPath(false);
    expectOk(await timed(sc.url, (client) => closedLoop(client, previewRequests(tag, sizes.bookings, sizes.warm), IN_FLIGHT, true)), 'warm-up (loading)', isPreview);
    const health = await sc.profiled(`preview-${dialect}-healthz`, () => figuresFor(sc, () => healthzRequests(sizes.requests), sizes, '/healthz'));
    if (opts.sqlTiming) await sc.sqlTiming();
    const loading = await sc.profiled(`preview-${dialect}-loading`, () => figuresFor(sc, previews, sizes, '/preview/outcome loading', isPreview));
    await sqlPerRequest('loading', loading);

    // The service's path: the read model (warm-up loads each booking once; the runs then read only the log position).
    await sc.previewPath(true);
    expectOk(await timed(sc.url, (client) => closedLoop(client, previewRequests(tag, sizes.bookings, sizes.bookings), IN_FLIGHT, true)), 'warm-up (memory)', isPreview);
    if (opts.sqlTiming) await sc.sqlTiming();
    const memory = await sc.profiled(`preview-${dialect}-memory`, () => figuresFor(sc, previews, sizes, '/preview/outcome from memory', isPreview));
    await sqlPerRequest('from-memory', memory);
    const stats = await sc.previewStats();

    // Same requests, same answers: the 1-in-flight runs of both paths, body by body.
    memory.unloaded.replies.forEach((r, k) => {
      if (r.body !== loading.unloaded.replies[k]!.body) throw new Error(`request ${k}: from memory ${r.body.slice(0, 200)} differs from loading ${loading.unloaded.replies[k]!.body.slice(0, 200)}`);
    });

    for (const [name, f] of [['healthz', health], ['loading', loading], ['memory', memory]] as const) {
      log(`  ${name}: 1 in flight p50 ${ms(p(f.unloaded, 0.5))} p99 ${ms(p(f.unloaded, 0.99))}; ${IN_FLIGHT} in flight ${formatNumber(rate(f.closed))}/s (CPU ${f.cpuPerRequest_ms.toFixed(3)} ms/request, generator ${f.generatorCpuPerRequest_ms.toFixed(3)}); ` +
        `${formatNumber(OFFERED_PER_S)}/s offered p50 ${ms(p(f.open, 0.5))} p99 ${ms(p(f.open, 0.99))} (generator lag p99 ${ms(quantile(f.open.send_lag_ms!, 0.99))})${f.open.overloaded ? ' OVERLOADED: stopped' : ''}`);
    }
    log(`  model: ${JSON.stringify(stats)}`);
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const overload = (r: RunResult) => (r.overloaded ? ` (**overloaded**: stopped after ${formatNumber(r.count)}, ${formatNumber(MAX_OUTSTANDING)} unanswered)` : '');
    const all = [memory, loading, health];
    const cells = (f: (x: Figures) => string) => all.map(f) as [string, string, string];
    const rows: Row[] = [
      [`requests/s, ${IN_FLIGHT} in flight (closed loop, ${sizes.closedMaxMs / 1000} s)`, ...cells((x) => `${formatNumber(rate(x.closed))}/s`), `≥ ${formatNumber(RATE_AIM)}/s ${met(rate(memory.closed) >= RATE_AIM)}`],
      [`  latency at ${IN_FLIGHT} in flight, p50 / p99`, ...cells((x) => `${ms(p(x.closed, 0.5))} / ${ms(p(x.closed, 0.99))}`), ''],
      ['  sidecar CPU per request', ...cells((x) => `${x.cpuPerRequest_ms.toFixed(2)} ms`), ''],
      ['  load generator CPU per request (its own process)', ...cells((x) => `${x.generatorCpuPerRequest_ms.toFixed(2)} ms (${share(x)} of the two)`), ''],
      [`latency at ${formatNumber(OFFERED_PER_S)}/s offered, open loop (${sizes.openSeconds} s), p50 / p99 / max`,
        ...cells((x) => `${ms(p(x.open, 0.5))} / ${ms(p(x.open, 0.99))} / ${ms(p(x.open, 1))}${overload(x.open)}`),
        `p99 < ${P99_AIM_MS} ms ${met(p(memory.open, 0.99) < P99_AIM_MS && !memory.open.overloaded)}`],
      [`latency unloaded, 1 in flight (${formatNumber(sizes.unloaded)} requests), p50 / p99`, ...cells((x) => `${ms(p(x.unloaded, 0.5))} / ${ms(p(x.unloaded, 0.99))}`), ''],
    ];
    return { rows, stats };
  } finally {
    await sc.stop();
    await t.drop();
  }
}

function tableOf(r: { rows: Row[]; stats: PreviewStats }): string {
  return `${markdownTable(['figure', 'from memory (read model)', 'loading per request (baseline)', '/healthz (same run)', 'aim'], r.rows)}\n\n` +
    `Read model after the runs: ${formatNumber(r.stats.kept)} bookings kept, ${formatNumber(r.stats.loads)} loads (the warm-up), ${formatNumber(r.stats.hits)} answers from memory, ` +
    `${formatNumber(r.stats.fence_reads)} log-position reads (shared by the requests in flight); sidecar RSS ${mb(r.stats.rss_bytes)}, heap ${mb(r.stats.heap_used_bytes)}.`;
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${load1()}`;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { numbers: ['requests'], flags: ['quick', 'no-docs', 'sql-timing'], strings: ['profile', 'only'] });
  const sizes = sizesFrom(args);
  const profileDir = typeof args.profile === 'string' ? resolve(args.profile) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const opts = { profileDir, sqlTiming: Boolean(args['sql-timing']) };
  const only = typeof args.only === 'string' ? args.only : undefined;
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const uptimeBefore = uptime();
  log(`preview: uptime before: ${uptimeBefore}`);
  const sections: string[] = [];
  if (!only || only === 'sqlite') {
    const v = await sqliteVersion();
    log(`preview: SQLite ${v}`);
    sections.push(`### SQLite ${v} (WAL, synchronous=FULL)\n\n${tableOf(await benchDialect('sqlite', sizes, log, opts))}`);
  }
  if (!only || only === 'mysql') {
    const v = await mysqlVersion();
    if (v) {
      log(`preview: MariaDB/MySQL ${v}`);
      sections.push(`### MariaDB/MySQL ${v} at ${mysqlWhere} (app user, READ COMMITTED)\n\n${tableOf(await benchDialect('mysql', sizes, log, opts))}`);
    } else {
      sections.push(`### MariaDB/MySQL\n\nSKIPPED: not reachable at ${mysqlWhere}.`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const uptimeAfter = uptime();
  const cmd = `node --import tsx bench/preview/run.ts${args.quick ? ' --quick' : ''}${typeof args.requests === 'number' ? ` --requests ${args.requests}` : ''}`;
  const body = [
    `Run ${new Date().toISOString().slice(0, 10)} with \`${cmd}\` (or \`npm run bench:preview\`, or all benches with \`npm run bench\`) on ${machine()}; took ${seconds.toFixed(0)} s. ` +
      `Machine load (\`uptime\`) before: \`${uptimeBefore}\`; after: \`${uptimeAfter}\` (other work on the machine lowers every figure).`,
    '',
    `Setup: a real sidecar (\`startSidecar\`, fresh migrated database, logging off, rate limit out of the way) in its own node process holding ` +
      `${formatNumber(sizes.bookings)} paid bookings (booking.confirmed + payment_intent.succeeded through the real pipeline; six cancellation policies, five time zones); ` +
      `**the load generator is a separate process** on the same 2 cores (keep-alive HTTP/1.1 to 127.0.0.1, \`node:http\` Agent, ${IN_FLIGHT} connections opened afresh before each timed loop). Each preview ` +
      `is \`GET /preview/outcome?action=cancel&booking_id=…&by=guest|host&at=…\` signed with the reader key before the clock starts, over every ` +
      `booking, both actors and nine moments from 45 days before check-in to after it; every reply is checked (200, a decision with its outcome and rule hashes), ` +
      `and the 1-in-flight replies of both paths are compared body by body (identical). ` +
      `Two paths in the same run, same sidecar, same database: **from memory** — the preview read model (\`pipeline/preview-model.ts\`, docs/scaling.md), ` +
      `after a warm-up that loads each booking once — and **loading per request**, the path before it (the booking and its money read for every preview), kept as the baseline. ` +
      `\`/healthz\` (unsigned, no database) is measured the same way in the same run: the floor of the HTTP stack. ` +
      `Three figures each: throughput with ${IN_FLIGHT} requests in flight (for ${sizes.closedMaxMs / 1000} s); latency at a fixed offered ${formatNumber(OFFERED_PER_S)}/s for ` +
      `${sizes.openSeconds} s, open loop (request i sent at i/${formatNumber(OFFERED_PER_S)} s whatever came back; latency from that scheduled time; if ` +
      `${formatNumber(MAX_OUTSTANDING)} requests are unanswered the run stops and says *overloaded*); latency with one request in flight. ` +
      `*Sidecar CPU* is the sidecar process's user + system CPU time over the throughput run, per request: the figure least moved by other load on the machine; ` +
      `*load generator CPU* is the generator process's own, over the same run (with the sidecar's, it says which of the two a core would run out for first; MariaDB's CPU is in neither).`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (!args['no-docs'] && !only) {
    rewriteSection(DOCS_FILE, 'preview', '## Preview', body);
    log(`wrote the Preview section of ${DOCS_FILE}`);
  }
}

await main();
