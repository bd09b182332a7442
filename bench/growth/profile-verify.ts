/**
 * Where a full verify's time goes: grows an SQLite ledger of N entries (the growth bench's
 * workload), then runs verifyLedger single-threaded under the CPU profiler, timing the whole run
 * and each part (reading pages, checking entries, the balance-checkpoint audit).
 *
 *   node --import tsx bench/growth/profile-verify.ts [--entries 50000] [--profile FILE.cpuprofile]
 *   node --import tsx bench/ingest/profile-summary.ts FILE.cpuprofile
 *
 * --profile writes a CPU profile (the inspector's, as node --cpu-prof) of the verify runs only,
 * not of growing the ledger.
 */
import { freshDatabase } from '../../sidecar/src/testing/databases.js';
import { openAccount, postEntries, verifyLedger } from '../../sidecar/src/flows/ledger/index.js';
import { openPageReader, checkPage, type PageRead } from '../../sidecar/src/flows/ledger/verify-pages.js';
import { CheckpointAudit } from '../../sidecar/src/flows/ledger/verify-checkpoints.js';
import { GENESIS_HASH } from '../../sidecar/src/flows/ledger/types.js';
import { toInt } from '../../sidecar/src/db/connect.js';
import { parseArgs } from '../lib/args.js';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { timed, perSecond } from '../lib/timing.js';

const args = parseArgs(process.argv.slice(2), { numbers: ['entries'], strings: ['profile'] });
const N = typeof args.entries === 'number' ? args.entries : 50_000;
const T0 = '2026-09-01T12:00:00Z';
const HOT = 'platform:stripe_balance:USD';
const t = await freshDatabase('sqlite');
try {
  await openAccount(t.db, { code: HOT, type: 'asset', unit: 'USD', name: 'hot', opened_at: T0 });
  for (let b = 0; b < 1000; b++) await openAccount(t.db, { code: `booking:bk_${b}:guest_liability:USD`, type: 'liability', unit: 'USD', name: `b${b}`, opened_at: T0 });
  for (let n = 0; n < N; n += 500) {
    await postEntries(t.db, Array.from({ length: Math.min(500, N - n) }, (_, i) => ({
      idempotency_key: `g${n + i}`, kind: 'payment_received' as const, booking_id: `bk_${(n + i) % 1000}`, occurred_at: T0, description: 'payment', meta: { event_id: `evt_${n + i}` },
      lines: [{ account: HOT, unit: 'USD', direction: 'D' as const, amount_minor: 1000 + i }, { account: `booking:bk_${(n + i) % 1000}:guest_liability:USD`, unit: 'USD', direction: 'C' as const, amount_minor: 1000 + i }],
    })));
  }
  const out: Record<string, string> = {};
  const session = new Session();
  if (typeof args.profile === 'string') {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let run = 0; run < 2; run++) {
    const full = await timed(() => verifyLedger(t.db, undefined, { parallel: false }));
    out[`verifyLedger run ${run + 1}`] = `${Math.round(perSecond(full.value.entries, full.ms)).toLocaleString('en-US')} entries/s (${full.ms.toFixed(0)} ms)`;
  }
  if (typeof args.profile === 'string') {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(args.profile, JSON.stringify(profile));
    session.disconnect();
  }
  // The parts, one after the other over the same pages.
  const reader = await openPageReader(t.db, 5000, true);
  const pages: PageRead[] = [];
  const read = await timed(async () => {
    for (let p = await reader.read(Number.MIN_SAFE_INTEGER); p.entries.length > 0; p = await reader.read(toInt(p.entries[p.entries.length - 1]![0]))) pages.push(p);
  });
  const check = await timed(async () => {
    let expected = 1;
    let prev = GENESIS_HASH;
    for (const p of pages) {
      const v = checkPage({ entries: p.entries, lines: p.lines }, expected, prev);
      expected = v.last_seq + 1;
      prev = v.last_hash;
    }
  });
  const audit = new CheckpointAudit();
  const auditing = await timed(async () => {
    for (const p of pages) await audit.page({ entries: p.entries, lines: p.lines }, p.checkpoints);
  });
  const per = (ms: number) => `${((ms * 1000) / N).toFixed(1)} µs/entry (${ms.toFixed(0)} ms)`;
  out['read pages (entries, lines, checkpoints as arrays)'] = per(read.ms);
  out['check entries (hashes, balance, serialisation)'] = per(check.ms);
  out['balance-checkpoint audit'] = per(auditing.ms);
  for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${v}\n`);
} finally {
  await t.drop();
}
