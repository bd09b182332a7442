/**
 * Growth bench (issue #11: reads that do not grow with history, a verify that keeps up): what
 * posting, a hot account's balance, a host statement and a preview cost as the ledger grows from
 * 10³ to 10⁶ entries, each beside the read it replaced (same run, same database), on SQLite and
 * (when reachable) MariaDB/MySQL. The history is workload.ts's: one entry a minute, every entry on the
 * hot platform account, bookings spread over 100 hosts. At each size:
 * - posting: postEntries, 500 entries per call and transaction (what a dispatch batch writes);
 * - balance: balanceOf(hot account) with the longest tail (255 lines) — beside the sum over every line;
 * - statement: hostStatement for one day of the measured host — beside the read it replaced
 *   (every booking of the host, every entry of each);
 * - preview: a cancellation preview of a booking that came through the real pipeline, loading it from
 *   the database (the path the in-memory model falls back to);
 * - a full verify (every size: the proof that the seeded history is a valid ledger) and a routine
 *   verify of the newest entries from the verified checkpoint it left.
 *
 *   node --import tsx bench/growth/run.ts [--max N] [--quick] [--no-docs] [--only sqlite|mysql]
 *
 * --max N    the largest size (default 1,000,000; sizes are the powers of ten from 10³ up to it).
 * --quick    10³ and 10⁴ only: a smoke run.
 */
import { cpus, loadavg } from 'node:os';
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, MYSQL_ADMIN, type Dialect, type TestDatabase } from '../../sidecar/src/testing/databases.js';
import {
  balanceOf, headSeq, lineTotalsFullSum, readEntries, recordVerified, signVerified, verifyLedger, verifyLedgerSince,
  type VerifiedCheckpoint, type VerifyReport,
} from '../../sidecar/src/flows/ledger/index.js';
import { hostStatement } from '../../sidecar/src/flows/read-models/statement.js';
import { statementEntries } from '../../sidecar/src/flows/read-models/statement-entries.js';
import { previewCancellation } from '../../sidecar/src/pipeline/preview.js';
import type { Db } from '../../sidecar/src/db/connect.js';
import { parseArgs } from '../lib/args.js';
import { mysqlVersion, sqliteVersion } from '../lib/env.js';
import { rewriteSection } from '../lib/docs-section.js';
import { formatNumber, markdownTable } from '../lib/table.js';
import { peakRssMb } from '../lib/memory.js';
import { perSecond, timed } from '../lib/timing.js';
import { grow, HOT, MEASURED_HOST, openPlatformAccounts, timeOf } from './workload.js';
import { seedPipelineBookings, PREVIEW_AT } from './pipeline-bookings.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS_FILE = join(HERE, '..', '..', 'docs', 'benchmarks.md');
/** Entries per postEntries call while seeding (one transaction each): fewer round trips, same code. */
const SEED_PER_CALL = 5000;
/** Entries per call in the timed posting window: a full dispatch batch. */
const POST_PER_CALL = 500;
const POSTING_WINDOW = 5000;
const ROUTINE_NEW = 1000;

/** Median of `runs` timings of `fn` (ms), after one untimed call. */
async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await timed(fn)).ms);
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)]!;
}

const asVerified = (r: VerifyReport): VerifiedCheckpoint => {
  if (!r.ok) throw new Error(`verify failed: ${JSON.stringify(r)}`);
  return signVerified({ seq: r.head_seq, entry_hash: r.head_hash, lines: r.at.lines, balance_checkpoints: r.at.balance_checkpoints, per_unit: r.at.per_unit, mode: r.mode, from_seq: r.from_seq, verified_at: new Date().toISOString() });
};

/** What the statement read before issue #11: every booking of the host, every entry of each, filtered to the period. */
async function statementReadBefore(db: Db, host_id: string, from: string, to: string): Promise<number> {
  const bookings = (await db('bookings').where({ host_id }).orderBy('inbox_id').select('booking_id')) as Array<{ booking_id: string }>;
  let listed = 0;
  for (const b of bookings) {
    const entries = (await readEntries(db, { booking_id: b.booking_id })).filter((e) => e.occurred_at.slice(0, 10) >= from && e.occurred_at.slice(0, 10) <= to);
    if (entries.length > 0) listed++;
  }
  return listed;
}

type Point = {
  size: number; seeded_per_s: number; post_per_s: number; balance_ms: number; fullsum_ms: number;
  statement_ms: number; statement_way: string; statement_rows: number; host_bookings: number; statement_before_ms: number;
  preview_ms: number; routine_ms: number; full_verify_per_s: number; rss: number; uptime: string;
};

async function benchDialect(dialect: Dialect, sizes: number[], log: (s: string) => void): Promise<Point[]> {
  const t: TestDatabase = await freshDatabase(dialect);
  const db = t.db;
  const points: Point[] = [];
  try {
    const previewed = await seedPipelineBookings(dialect, t);
    await openPlatformAccounts(db);
    const base = (await headSeq(db)).seq; // the pipeline bookings' own entries
    let have = 0; // entries of the growth history posted so far
    for (const size of sizes) {
      const target = size - base;
      const window = Math.min(POSTING_WINDOW, target - have);
      const routineNew = Math.min(ROUTINE_NEW, Math.floor(window / 2));
      // Seed up to the posting window in large batches.
      const seeded = await timed(() => grow(db, have, target - window, SEED_PER_CALL));
      const seededCount = target - window - have;
      // The window: postEntries as a dispatch batch calls it; a full verify before its last entries.
      const p1 = await timed(() => grow(db, target - window, target - routineNew, POST_PER_CALL));
      const full = await timed(() => verifyLedger(db));
      if (!full.value.ok || full.value.entries !== size - routineNew) throw new Error(`full verify at ${size}: ${JSON.stringify(full.value)}`);
      // Recorded, as `mybnb verify` records it: the rows at or below it are then guarded (migration 088) and not recounted.
      const verified = asVerified(full.value);
      await recordVerified(db, verified);
      const p2 = await timed(() => grow(db, target - routineNew, target, POST_PER_CALL));
      have = target;
      const routine = await timed(() => verifyLedgerSince(db, verified));
      if (!routine.value.ok || routine.value.entries !== routineNew || routine.value.below !== 'guarded') throw new Error(`routine verify: ${JSON.stringify(routine.value)}`);

      // Balance: the longest tail the rule allows (as of the entry before the newest checkpoint), beside the full sum.
      const worstSeq = (await db('balance_checkpoints').where({ account_code: HOT }).max({ s: 'seq' }))[0]!.s as number;
      const asOf = { seq: Number(worstSeq) - 1 };
      if ((await balanceOf(db, HOT, asOf)).debits_minor !== (await lineTotalsFullSum(db, HOT, asOf)).debits) throw new Error('balance via checkpoint differs from the full sum');
      const balance_ms = await median(200, () => balanceOf(db, HOT, asOf));
      const fullsum_ms = await median(size >= 500_000 ? 5 : 20, () => lineTotalsFullSum(db, HOT));

      // Statement: one whole day of the measured host (the day before the newest entry's, once there is one).
      const lastDay = timeOf(target - 1).slice(0, 10);
      const firstDay = timeOf(0).slice(0, 10);
      const day = lastDay > firstDay ? timeOf(target - 1 - 1440).slice(0, 10) : lastDay;
      const byIndex = await statementEntries(db, MEASURED_HOST, day, day, 'index');
      const byPeriod = await statementEntries(db, MEASURED_HOST, day, day, 'period');
      const byHost = await statementEntries(db, MEASURED_HOST, day, day, 'host');
      if (JSON.stringify(byPeriod) !== JSON.stringify(byHost) || JSON.stringify(byIndex) !== JSON.stringify(byHost)) throw new Error('statement: by host index, by period and by host differ');
      const listedBefore = await statementReadBefore(db, MEASURED_HOST, day, day);
      const statement = await hostStatement(db, MEASURED_HOST, day, day);
      if (statement.bookings.length !== listedBefore || listedBefore === 0) throw new Error(`statement lists ${statement.bookings.length} bookings, the old read ${listedBefore}`);
      const statement_ms = await median(size >= 500_000 ? 30 : 50, () => hostStatement(db, MEASURED_HOST, day, day));
      const statement_before_ms = await median(size >= 500_000 ? 1 : 3, () => statementReadBefore(db, MEASURED_HOST, day, day));
      const hostBookings = Number((await db('bookings').where({ host_id: MEASURED_HOST }).count({ n: '*' }))[0]!.n);
      const way = 'host index';

      const preview = await previewCancellation(db, previewed, 'guest', PREVIEW_AT);
      if (!preview.booking_id) throw new Error('preview');
      const preview_ms = await median(200, () => previewCancellation(db, previewed, 'guest', PREVIEW_AT));

      const p: Point = {
        size, seeded_per_s: seededCount > 0 ? perSecond(seededCount, seeded.ms) : NaN,
        post_per_s: perSecond(window, p1.ms + p2.ms), balance_ms, fullsum_ms,
        statement_ms, statement_way: way, statement_rows: statement.bookings.length, host_bookings: hostBookings, statement_before_ms,
        preview_ms, routine_ms: routine.ms, full_verify_per_s: perSecond(size - routineNew, full.ms),
        rss: peakRssMb(), uptime: uptimeNow(),
      };
      log(`${dialect} ${formatNumber(size)}: ${JSON.stringify(p)}`);
      points.push(p);
    }
  } finally {
    await t.drop();
  }
  return points;
}

function uptimeNow(): string {
  try {
    return execSync('uptime', { encoding: 'utf8' }).trim().replace(/^.*load average:\s*/, 'load ');
  } catch {
    return `load ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
}

const msText = (n: number) => (n >= 100 ? `${Math.round(n)} ms` : `${n.toPrecision(2)} ms`);
const sizeText = (n: number) => ({ 1000: '10³', 10_000: '10⁴', 100_000: '10⁵', 1_000_000: '10⁶' } as Record<number, string>)[n] ?? formatNumber(n);

function tableOf(points: Point[]): string {
  const rows = points.map((p) => [
    `${sizeText(p.size)} (${formatNumber(p.size)})`,
    `${formatNumber(p.post_per_s)}/s`,
    msText(p.balance_ms), msText(p.fullsum_ms),
    `${msText(p.statement_ms)} (${p.statement_rows} of ${p.host_bookings.toLocaleString("en-US")} bookings; by ${p.statement_way})`, msText(p.statement_before_ms),
    msText(p.preview_ms),
    `${msText(p.routine_ms)}`, `${formatNumber(p.full_verify_per_s)}/s`,
    Number.isNaN(p.seeded_per_s) ? '—' : `${formatNumber(p.seeded_per_s)}/s`,
    `${Math.round(p.rss)}`, p.uptime,
  ]);
  const at = (n: number) => points.find((p) => p.size === n);
  const big = at(1_000_000) ?? points[points.length - 1]!;
  const small = at(10_000);
  if (small && big !== small) {
    const r = (a: number, b: number) => `**${(a / b).toFixed(2)}×**`;
    rows.push([
      `cost ratio ${sizeText(big.size)} / 10⁴ (aim ≤ 2×)`,
      r(small.post_per_s, big.post_per_s), r(big.balance_ms, small.balance_ms), `${(big.fullsum_ms / small.fullsum_ms).toFixed(1)}×`,
      r(big.statement_ms, small.statement_ms), `${(big.statement_before_ms / small.statement_before_ms).toFixed(1)}×`,
      r(big.preview_ms, small.preview_ms), `${(big.routine_ms / small.routine_ms).toFixed(1)}×`, '', '', '', '',
    ]);
  }
  return markdownTable(
    ['entries', 'posting (postEntries, 500/call)', 'hot balance: checkpoint + 255-line tail (median)', 'baseline: sum over every line', 'host statement, one day (median)', 'baseline: old statement read', 'preview, loaded from the database (median)', `routine verify, last ${formatNumber(ROUTINE_NEW)}`, 'full verify', 'seeding', 'peak RSS MiB', 'uptime load 1/5/15 min'],
    rows,
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { numbers: ['max'], flags: ['quick', 'no-docs'], strings: ['only'] });
  const max = typeof args.max === 'number' ? args.max : args.quick ? 10_000 : 1_000_000;
  const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((s) => s <= max);
  const started = Date.now();
  const before = uptimeNow();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const sections: string[] = [];
  const cpu = cpus();
  const command = `node --import tsx bench/growth/run.ts${args.quick ? ' --quick' : ''}${typeof args.max === 'number' ? ` --max ${args.max}` : ''}${typeof args.only === 'string' ? ` --only ${args.only}` : ''}`;
  // MariaDB first (the production database); the section is written after each dialect, so a run cut short keeps what it measured.
  const publish = (pending: string | undefined) => {
    const body = bodyOf(command, cpu, started, before, pending ? [...sections, `### ${pending}\n\nNot measured in this run (stopped before it).`] : sections);
    if (!args['no-docs']) rewriteSection(DOCS_FILE, 'growth', '## Growth', body);
    return body;
  };
  if (args.only !== 'sqlite') {
    const v = await mysqlVersion();
    if (v) {
      log(`MariaDB/MySQL ${v}`);
      sections.push(`### MariaDB/MySQL ${v} at ${MYSQL_ADMIN.host}:${MYSQL_ADMIN.port} (INSERT/SELECT app user, READ COMMITTED)\n\n${tableOf(await benchDialect('mysql', sizes, log))}`);
    } else {
      sections.push(`### MariaDB/MySQL\n\nSKIPPED: not reachable at ${MYSQL_ADMIN.host}:${MYSQL_ADMIN.port}.`);
    }
  }
  if (args.only !== 'mysql') {
    publish('SQLite');
    const v = await sqliteVersion();
    log(`SQLite ${v}`);
    sections.push(`### SQLite ${v} (WAL, synchronous=FULL)\n\n${tableOf(await benchDialect('sqlite', sizes, log))}`);
  }
  const body = publish(undefined);
  process.stdout.write(`\n${body}\n`);
  if (!args['no-docs']) log(`wrote the Growth section of ${DOCS_FILE}`);
}

function bodyOf(command: string, cpu: ReturnType<typeof cpus>, started: number, before: string, sections: string[]): string {
  return [
    `Run ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}; took ${((Date.now() - started) / 1000).toFixed(0)} s; \`uptime\` before: ${before}; after: ${uptimeNow()} (each row also says the load when it was measured: the machine is shared).`,
    '',
    '- History (bench/growth/workload.ts): one entry a minute (1,440 a day); booking *b* is paid at entry 2*b* (hot account `platform:stripe_balance:USD` debited; the booking\'s host share and the platform\'s fee revenue credited) and paid out at entry 2*b* + 1; bookings spread over 100 hosts, so the measured host\'s bookings grow with the history. A few bookings come first through the real pipeline (confirmed, paid) for the preview.',
    `- Seeding: \`postEntries\` itself, ${formatNumber(SEED_PER_CALL)} entries per call and transaction (the same validation, hashes, chain, balance checkpoints and multi-row INSERTs as every writer); the filler bookings' \`bookings\` rows and accounts by multi-row INSERT. A full \`verifyLedger\` at every size proves the seeded history (it must pass, or the bench stops).`,
    `- *Posting*: the last ${formatNumber(POSTING_WINDOW)} entries of each size (all of 10³), \`postEntries\` with ${POST_PER_CALL} entries per call and transaction, balance checkpoints included; ratio row: cost per entry (the inverse of the rate).`,
    '- *Hot balance*: `balanceOf(hot account)` as of the entry just before its newest balance checkpoint, where the tail after the previous checkpoint is the longest it can be (255 lines); median of 200 calls. *Baseline*: the sum over every line of the account (the read before checkpoints), same database, same moment.',
    '- *Host statement*: `hostStatement` for one whole day (1,440 entries, the day before the newest entry\'s) of the measured host, who has 1 in 100 bookings; median of 50 calls (30 at 10⁶). It reads the host\'s entries of the day through the host index `host_entries (host_id, occurred_at, seq)` (migration 087, written by `postEntries`), checked against the two reads before it (the day ledger-wide, the host\'s bookings) at every size (statement-entries.ts). *Baseline*: the read it replaced — every booking of the host and every entry of each, filtered to the day (median of 3; one run at 10⁶).',
    '- *Preview*: `previewCancellation` of a pipeline booking, loading the booking and its money from the database (the in-memory model answers without the database: see Preview), median of 200.',
    `- *Routine verify*: \`verifyLedgerSince\` from the verified checkpoint of the full verify (recorded, as \`mybnb verify\` does, so the rows below it are guarded and not recounted), ${formatNumber(ROUTINE_NEW)} entries before the head (half the window at 10³). *Full verify*: \`verifyLedger\` from the genesis, single run, entries/s.`,
    '- Peak RSS: the whole bench process, since it started (it only grows).',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}

await main();
