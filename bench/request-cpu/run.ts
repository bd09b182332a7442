/**
 * CPU per request of the sidecar's HTTP paths (issue #11's acceptance and preview aims), measured
 * in a way the machine's other load moves little: the sidecar runs in its own process and its
 * user + system CPU time (process.cpuUsage) is read before and after N requests of one kind.
 *
 *   node --import tsx bench/request-cpu/run.ts [--only sqlite|mysql] [--rounds N] [--requests N] [--base DIR] [--profile DIR]
 *
 * Kinds: `GET /healthz` (the HTTP stack's floor), `POST /webhooks/stripe` (a signed
 * payment_intent.succeeded: verify, parse, store in the inbox, acknowledge), `POST /events/booking`
 * (a signed booking.confirmed) and `GET /preview/outcome` answered from the read model.
 * 16 requests in flight (closed loop); dispatch is paused so the figures are the request paths alone.
 *
 * --base DIR   also start DIR/bench/ingest/sidecar-process.ts (another checkout, e.g. main) on a
 *              database of its own, and alternate the two kind by kind in every round: a before/after
 *              from the same run, under the same load.
 * --sql        count the sidecar's SQL statements per request (adds a little CPU per statement).
 * --kinds a,b  only these kinds (default all four).
 * --rounds N   rounds (default 3); the table shows the median per kind and version.
 * --profile DIR  CPU-profile each kind's first round in each sidecar (DIR/<version>-<kind>.cpuprofile;
 *              summarise with bench/ingest/profile-summary.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatIsoUtc, parseIsoUtc } from '../../sidecar/src/kernel/index.js';
import { signatureHeaderValue } from '../../sidecar/src/sari/request-signature.js';
import { freshDatabase, type Dialect, type TestDatabase } from '../../sidecar/src/testing/databases.js';
import { READER_KEY } from '../../sidecar/src/testing/harness.js';
import { parseArgs } from '../lib/args.js';
import { closedLoop, LoadClient, statusSummary, type PreparedRequest } from '../ingest/load.js';
import { SidecarControl } from '../ingest/sidecar-control.js';
import { benchBooking, confirmedBody, paymentBody, signedBookingEvent, signedStripeWebhook } from '../ingest/workload.js';

const IN_FLIGHT = 16;
/** Requests per chunk: the versions alternate chunk by chunk. */
const CHUNK = 250;
const BOOKINGS = 300;
const KINDS = ['healthz', 'stripe', 'booking', 'preview'] as const;
type Kind = (typeof KINDS)[number];

const OFFSETS_H = [-24 * 45, -24 * 20, -24 * 8, -24 * 3, -36, -12, -1, 6, 30];

function requestsOf(kind: Kind, tag: string, round: string, count: number): PreparedRequest[] {
  const now_s = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'healthz':
      return Array.from({ length: count }, () => ({ method: 'GET' as const, path: '/healthz', headers: {} }));
    case 'stripe':
      // Payments of bookings nobody confirmed (dispatch is paused: only acceptance runs).
      return Array.from({ length: count }, (_, k) => signedStripeWebhook(paymentBody(benchBooking(`${tag}s${round}`, k)), now_s));
    case 'booking':
      return Array.from({ length: count }, (_, k) => signedBookingEvent(confirmedBody(benchBooking(`${tag}b${round}`, k), k), now_s));
    case 'preview':
      return Array.from({ length: count }, (_, k) => {
        const b = benchBooking(tag, k % BOOKINGS);
        const by = Math.floor(k / BOOKINGS) % 2 === 0 ? 'guest' : 'host';
        const at = formatIsoUtc(parseIsoUtc(`${b.check_in}T15:00:00Z`) + OFFSETS_H[k % OFFSETS_H.length]! * 3_600_000);
        const path = `/preview/outcome?action=cancel&booking_id=${encodeURIComponent(b.booking_id)}&by=${by}&at=${encodeURIComponent(at)}`;
        return { method: 'GET' as const, path, headers: { 'MyBnB-Signature': signatureHeaderValue({ ...READER_KEY, t: now_s, method: 'GET', pathWithQuery: path }) } };
      });
  }
}

const expected: Record<Kind, number[]> = { healthz: [200], stripe: [200], booking: [202], preview: [200] };

type Version = { name: string; sc: SidecarControl; db: TestDatabase; sqlTiming: boolean };

/** The sidecar's CPU per request (ms) over `count` requests of `kind`, 16 in flight; also the wall rate. */
async function measure(v: Version, kind: Kind, requests: PreparedRequest[], profile: string | null): Promise<{ cpu_ms: number; system_ms: number; queries: number; rate: number }> {
  const client = new LoadClient(v.sc.url, IN_FLIGHT);
  try {
    // Fresh keep-alive connections, opened untimed (a connection idle past 5 s may be reset under a request).
    await closedLoop(client, requestsOf('healthz', '', '', IN_FLIGHT), IN_FLIGHT);
    const run = async () => {
      if (v.sqlTiming) await v.sc.sqlTiming();
      const cpu0 = await v.sc.cpuSplit();
      const r = await closedLoop(client, requests, IN_FLIGHT, true);
      const cpu1 = await v.sc.cpuSplit();
      const cpu = cpu1.user_ms + cpu1.system_ms - cpu0.user_ms - cpu0.system_ms;
      const queries = v.sqlTiming ? (await v.sc.sqlTiming()).reduce((a, b) => a + b.count, 0) / r.count : NaN;
      const bad = r.replies.find((x) => !expected[kind].includes(x.status));
      if (bad) throw new Error(`${v.name} ${kind}: ${statusSummary(r.statuses)}; ${bad.body.slice(0, 300)}`);
      return { cpu_ms: cpu / r.count, system_ms: (cpu1.system_ms - cpu0.system_ms) / r.count, queries, rate: (r.count * 1000) / r.ms };
    };
    return profile ? await v.sc.profiled(profile, run) : await run();
  } finally {
    client.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

async function startVersion(name: string, dialect: Dialect, tag: string, script: string | undefined, profileDir: string | undefined, sqlTiming: boolean): Promise<Version> {
  const db = await freshDatabase(dialect);
  const sc = await SidecarControl.start(db.target, { script, profileDir, sqlTiming });
  await sc.pause();
  await sc.feedPairs(tag, 0, BOOKINGS);
  const d = await sc.drain();
  if (d.after.bookings !== BOOKINGS) throw new Error(`${name}: setup made ${d.after.bookings} bookings`);
  return { name, sc, db, sqlTiming };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { numbers: ['rounds', 'requests'], strings: ['only', 'base', 'profile', 'kinds'], flags: ['sql'] });
  const dialect = (args.only ?? 'mysql') as Dialect;
  const kinds = typeof args.kinds === 'string' ? (args.kinds.split(',') as Kind[]) : [...KINDS];
  for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`--kinds: unknown kind ${k} (${KINDS.join(', ')})`);
  const rounds = (args.rounds as number | undefined) ?? 3;
  const count = (args.requests as number | undefined) ?? 2000;
  const profileDir = typeof args.profile === 'string' ? resolve(args.profile) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const tag = `rc${Math.random().toString(36).slice(2, 7)}`;
  const before = uptime();
  log(`request-cpu: ${dialect}, ${rounds} rounds × ${count} requests per kind; uptime ${before}`);
  const versions: Version[] = [await startVersion('this', dialect, tag, undefined, profileDir, Boolean(args.sql))];
  if (typeof args.base === 'string') versions.unshift(await startVersion('base', dialect, tag, join(resolve(args.base), 'bench/ingest/sidecar-process.ts'), profileDir, Boolean(args.sql)));
  const cpu = new Map<string, number[]>();
  const rate = new Map<string, number[]>();
  try {
    // Warm-up: JIT and the preview model (each booking loaded once), untimed.
    for (const v of versions) for (const kind of kinds) await measure(v, kind, requestsOf(kind, tag, 'w', kind === 'preview' ? BOOKINGS * 2 : 300), null);
    // Each round sends every kind in chunks of CHUNK requests, alternating the versions chunk by
    // chunk, so both see the same load from the rest of the machine; a round's figure is the sum of
    // its chunks' CPU over the sum of their requests.
    for (let r = 0; r < rounds; r++) {
      for (const kind of kinds) {
        const requests = requestsOf(kind, tag, String(r), count);
        const sums = new Map<string, { cpu: number; system: number; n: number; ms: number; queries: number }>();
        for (let at = 0; at < count; at += CHUNK) {
          const chunk = requests.slice(at, at + CHUNK);
          const order = (at / CHUNK) % 2 === 0 ? versions : [...versions].reverse();
          for (const v of order) {
            const m = await measure(v, kind, chunk, profileDir && r === 0 && at === 0 ? `${v.name}-${kind}` : null);
            const acc = sums.get(v.name) ?? { cpu: 0, system: 0, n: 0, ms: 0, queries: 0 };
            acc.cpu += m.cpu_ms * chunk.length;
            acc.system += m.system_ms * chunk.length;
            acc.queries += m.queries * chunk.length;
            acc.ms += (chunk.length * 1000) / m.rate;
            acc.n += chunk.length;
            sums.set(v.name, acc);
          }
        }
        for (const v of versions) {
          const a = sums.get(v.name)!;
          const k = `${v.name}/${kind}`;
          cpu.set(k, [...(cpu.get(k) ?? []), a.cpu / a.n]);
          rate.set(k, [...(rate.get(k) ?? []), (a.n * 1000) / a.ms]);
          log(`  round ${r + 1} ${k}: ${(a.cpu / a.n).toFixed(3)} ms CPU/request (system ${(a.system / a.n).toFixed(3)})${Number.isNaN(a.queries) ? '' : `, ${(a.queries / a.n).toFixed(2)} queries/request`}, ${((a.n * 1000) / a.ms).toFixed(0)}/s`);
        }
      }
    }
  } finally {
    for (const v of versions) {
      await v.sc.stop();
      await v.db.drop();
    }
  }
  const after = uptime();
  const head = `| kind | ${versions.map((v) => `${v.name}: CPU ms/request (median; all)`).join(' | ')} | ${versions.length > 1 ? 'this / base |' : ''}`;
  const rows = kinds.map((kind) => {
    const cells = versions.map((v) => {
      const xs = cpu.get(`${v.name}/${kind}`)!;
      return `${median(xs).toFixed(3)} (${xs.map((x) => x.toFixed(2)).join(', ')}; ${median(rate.get(`${v.name}/${kind}`)!).toFixed(0)}/s)`;
    });
    const ratio = versions.length > 1 ? ` ${(median(cpu.get(`this/${kind}`)!) / median(cpu.get(`base/${kind}`)!)).toFixed(2)} |` : '';
    return `| ${kind} | ${cells.join(' | ')} |${ratio}`;
  });
  process.stdout.write(`\n${dialect}, ${rounds} rounds × ${count} requests, ${IN_FLIGHT} in flight, dispatch paused\nuptime before: ${before}\nuptime after: ${after}\n\n${head}\n|${'---|'.repeat(versions.length + (versions.length > 1 ? 2 : 1))}\n${rows.join('\n')}\n`);
}

await main();
