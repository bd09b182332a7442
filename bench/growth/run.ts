/**
 * Growth bench (issue #11, items 4 and 5): what reads and verify cost as a hot account's history
 * grows. A ledger is grown with postEntries (500 entries per call and transaction; every entry
 * debits one hot platform account and credits one of 1,000 booking accounts) and measured at each
 * size, on SQLite and (when reachable) MariaDB/MySQL:
 * - the hot account's balance read from its newest balance checkpoint plus the lines after it
 *   (balanceOf, as every balance read now does), beside the old sum over every line (same run);
 * - posting (postEntries, the growth step's last 10,000 entries);
 * - a full verify (entries/s), and a routine verify of the last 1,000 entries from a verified
 *   checkpoint (what a scheduled `verify` does once a full one has passed).
 *
 *   node --import tsx bench/growth/run.ts [--max N] [--quick] [--no-docs] [--only sqlite|mysql]
 *
 * --max N    the largest size (default 100,000 entries = hot-account lines; 1000000 for 10⁶, which
 *            takes several minutes to grow on this machine).
 * --quick    2,000 and 10,000 only: a smoke run.
 */
import { cpus, loadavg } from 'node:os';
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, MYSQL_ADMIN, type Dialect, type TestDatabase } from '../../sidecar/src/testing/databases.js';
import {
  BALANCE_CHECKPOINT_EVERY_LINES, balanceOf, lineTotalsFullSum, openAccount, postEntries, signVerified, verifyLedger, verifyLedgerSince,
  type JournalEntryRequest, type VerifiedCheckpoint, type VerifyReport,
} from '../../sidecar/src/flows/ledger/index.js';
import { parseArgs } from '../lib/args.js';
import { mysqlVersion, sqliteVersion } from '../lib/env.js';
import { rewriteSection } from '../lib/docs-section.js';
import { formatNumber, markdownTable } from '../lib/table.js';
import { peakRssMb } from '../lib/memory.js';
import { perSecond, timed } from '../lib/timing.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS_FILE = join(HERE, '..', '..', 'docs', 'benchmarks.md');
const T0 = '2026-09-01T12:00:00Z';
const HOT = 'platform:stripe_balance:USD';
const BOOKINGS = 1000;
const BATCH = 500;
const POSTING_WINDOW = 10_000;
const ROUTINE_NEW = 1000;

const booking = (n: number) => `booking:bk_${n % BOOKINGS}:guest_liability:USD`;
const entry = (n: number): JournalEntryRequest => ({
  idempotency_key: `g${n}`, kind: 'payment_received', booking_id: `bk_${n % BOOKINGS}`, occurred_at: T0, description: 'payment',
  meta: { event_id: `evt_${n}` },
  lines: [{ account: HOT, unit: 'USD', direction: 'D', amount_minor: 1000 + (n % 997) }, { account: booking(n), unit: 'USD', direction: 'C', amount_minor: 1000 + (n % 997) }],
});

async function grow(t: TestDatabase, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n += BATCH) await postEntries(t.db, Array.from({ length: Math.min(BATCH, to - n) }, (_, i) => entry(n + i)));
}

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

type Point = { size: number; tail: number; checkpoint_ms: number; worst_ms: number; fullsum_ms: number; post_per_s: number; full_verify_per_s: number; routine_ms: number; routine_per_s: number; rss: number; uptime: string };

async function benchDialect(dialect: Dialect, sizes: number[], log: (s: string) => void): Promise<Point[]> {
  const t = await freshDatabase(dialect);
  const points: Point[] = [];
  try {
    await openAccount(t.db, { code: HOT, type: 'asset', unit: 'USD', name: 'Stripe balance', opened_at: T0 });
    for (let b = 0; b < BOOKINGS; b += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => openAccount(t.db, { code: booking(b + i), type: 'liability', unit: 'USD', name: `guest liability ${b + i}`, opened_at: T0 })));
    }
    let have = 0;
    for (const size of sizes) {
      // Grow to size - ROUTINE_NEW, verify in full there (the verified checkpoint), then post the last ROUTINE_NEW.
      const windowStart = Math.max(have, size - POSTING_WINDOW);
      await grow(t, have, windowStart);
      const posting = await timed(() => grow(t, windowStart, size - ROUTINE_NEW));
      const postedInWindow = size - ROUTINE_NEW - windowStart;
      const verified = asVerified(await verifyLedger(t.db));
      await grow(t, size - ROUTINE_NEW, size);
      have = size;
      const routine = await timed(() => verifyLedgerSince(t.db, verified));
      if (!routine.value.ok || routine.value.entries !== ROUTINE_NEW) throw new Error(`routine verify: ${JSON.stringify(routine.value)}`);
      const full = await timed(() => verifyLedger(t.db));
      if (!full.value.ok || full.value.entries !== size) throw new Error(`full verify: ${JSON.stringify(full.value)}`);
      const viaCheckpoint = await balanceOf(t.db, HOT);
      const viaLines = await lineTotalsFullSum(t.db, HOT);
      if (viaCheckpoint.debits_minor !== viaLines.debits) throw new Error('checkpoint path and full sum differ');
      const checkpoint_ms = await median(200, () => balanceOf(t.db, HOT));
      // The tail now depends on where the size falls between multiples of 256: also read as of the
      // entry just before the newest checkpoint, where the tail is the longest it can be (255 lines).
      const every = BALANCE_CHECKPOINT_EVERY_LINES;
      const worstSeq = Math.floor(size / every) * every - 1;
      const worst_ms = await median(200, () => balanceOf(t.db, HOT, { seq: worstSeq }));
      if ((await balanceOf(t.db, HOT, { seq: worstSeq })).debits_minor !== (await lineTotalsFullSum(t.db, HOT, { seq: worstSeq })).debits) throw new Error('as-of read differs');
      const fullsum_ms = await median(size >= 500_000 ? 5 : 20, () => lineTotalsFullSum(t.db, HOT));
      const p: Point = {
        size, tail: size % every, checkpoint_ms, worst_ms, fullsum_ms,
        post_per_s: perSecond(postedInWindow, posting.ms),
        full_verify_per_s: perSecond(size, full.ms),
        routine_ms: routine.ms, routine_per_s: perSecond(ROUTINE_NEW, routine.ms),
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

function tableOf(points: Point[]): string {
  const first = points[0]!;
  const rows = points.map((p) => [
    formatNumber(p.size),
    `${msText(p.checkpoint_ms)} (tail ${p.tail})`, `${msText(p.worst_ms)}`, `${(p.worst_ms / first.worst_ms).toFixed(2)}×`,
    msText(p.fullsum_ms), `${(p.fullsum_ms / p.checkpoint_ms).toFixed(0)}×`,
    `${formatNumber(p.post_per_s)}/s`,
    `${msText(p.routine_ms)} (${formatNumber(p.routine_per_s)}/s)`,
    `${formatNumber(p.full_verify_per_s)}/s`,
    `${Math.round(p.rss)}`, p.uptime,
  ]);
  return markdownTable(
    ['hot-account lines (= entries)', 'balance now: checkpoint + tail (median)', 'balance, longest tail (255 lines)', 'longest tail vs smallest size', 'baseline: sum over every line (median)', 'baseline / checkpoint', 'posting (postEntries, 500/call)', `routine verify of the last ${formatNumber(ROUTINE_NEW)} entries`, 'full verify', 'peak RSS MiB', 'uptime load 1/5/15 min'],
    rows,
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { numbers: ['max'], flags: ['quick', 'no-docs'], strings: ['only'] });
  const max = typeof args.max === 'number' ? args.max : args.quick ? 10_000 : 100_000;
  const sizes = args.quick ? [2_000, 10_000] : [10_000, 100_000, 1_000_000].filter((s) => s < max).concat([max]).filter((s, i, all) => all.indexOf(s) === i && s >= 10_000);
  const started = Date.now();
  const before = uptimeNow();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const sections: string[] = [];
  if (args.only !== 'mysql') {
    const v = await sqliteVersion();
    log(`SQLite ${v}`);
    sections.push(`### SQLite ${v} (WAL, synchronous=FULL)\n\n${tableOf(await benchDialect('sqlite', sizes, log))}`);
  }
  if (args.only !== 'sqlite') {
    const v = await mysqlVersion();
    if (v) {
      log(`MariaDB/MySQL ${v}`);
      sections.push(`### MariaDB/MySQL ${v} at ${MYSQL_ADMIN.host}:${MYSQL_ADMIN.port} (INSERT/SELECT app user, READ COMMITTED)\n\n${tableOf(await benchDialect('mysql', sizes, log))}`);
    } else {
      sections.push(`### MariaDB/MySQL\n\nSKIPPED: not reachable at ${MYSQL_ADMIN.host}:${MYSQL_ADMIN.port}.`);
    }
  }
  const cpu = cpus();
  const command = `node --import tsx bench/growth/run.ts${args.quick ? ' --quick' : ''}${typeof args.max === 'number' ? ` --max ${args.max}` : ''}${typeof args.only === 'string' ? ` --only ${args.only}` : ''}`;
  const body = [
    `Run ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}; took ${((Date.now() - started) / 1000).toFixed(0)} s; \`uptime\` before: ${before}; after: ${uptimeNow()} (each row also says the load when it was measured: the machine is shared).`,
    '',
    `- Workload: one ledger grown with \`postEntries\` (${BATCH} entries per call and transaction), every entry debiting the hot account \`${HOT}\` and crediting one of ${formatNumber(BOOKINGS)} bookings' liabilities; measured at each size on the same database.`,
    '- *Balance*: `balanceOf(hot account)` — its newest balance checkpoint plus the lines after it, as every balance read now runs; median of 200 calls. The tail now is `size mod 256` lines (so it differs between sizes); *longest tail* reads the balance as of the entry just before the newest checkpoint, where the tail is 255 lines, the most it can be — the fair comparison across sizes. *Baseline*: the sum over every line of the account (the read before checkpoints), median of 20 calls, same database, same moment.',
    `- *Posting*: the last ${formatNumber(POSTING_WINDOW)} entries of the growth step (fewer at the smallest size), balance checkpoints included.`,
    `- *Routine verify*: \`verifyLedgerSince\` from a verified checkpoint taken ${formatNumber(ROUTINE_NEW)} entries before the head (what \`mybnb verify\` does once a verify has passed): the new entries' chain, checkpoints and per-unit sums, plus row counts at or below the checkpoint. *Full verify*: \`verifyLedger\` from the genesis (\`verify --full\`), single run.`,
    '- Peak RSS: the whole bench process (it only grows).',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  process.stdout.write(`\n${body}\n`);
  if (!args['no-docs']) {
    rewriteSection(DOCS_FILE, 'growth', '## Growth', body);
    log(`wrote the Growth section of ${DOCS_FILE}`);
  }
}

await main();
