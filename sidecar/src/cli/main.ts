import { PUBLIC, ROUTE_ROLES, routeOf } from '../http/route-roles.js';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import cliProgress from 'cli-progress';
import { ConfigError, parseSidecarKeys } from '../config.js';
import { openDb, type Db } from '../db/connect.js';
import { parseDatabaseUrl, describeTarget } from '../db/database-url.js';
import { migrateLatest } from '../db/migrate.js';
import { balanceOf, forEachEntry, headSeq, trialBalance, verifyLedger } from '../flows/ledger/index.js';
import { allIntents } from '../flows/outbox/intents.js';
import { verifyAll } from '../pipeline/verify-all.js';
import type { Checkpoint } from '../pipeline/checkpoint.js';
import { replayInto } from '../pipeline/replay.js';
import { runWorker } from './worker.js';
import { periodOf, reconcileWithStripe } from '../pipeline/reconcile.js';
import Stripe from 'stripe';
import { simulatePolicy } from '../pipeline/simulate.js';
import { signatureHeaderValue } from '../sari/request-signature.js';
import { DEMO_KEYS } from '../demo/keys.js';
import { computeLock } from '../nora/index.js';
import { readPolicyFiles } from '../policy-files.js';
import { exportArchiveCommand, importArchiveCommand } from './archive-commands.js';
import { stripeCommand } from './stripe-setup.js';
import { configCheck } from './config-check.js';
import { OUTBOUND_USAGE, runOutboundCli } from './outbound.js';

// `.env` in the working directory, as the service reads it (it never overrides the environment).
loadDotenv({ quiet: true });

const POLICY_DIR = process.env.POLICY_DIR || './policies';
import { writeFileSync } from 'node:fs';

const USAGE = `usage: npm run cli -- <command>
  migrate                                   apply pending migrations (as an administrator)
  verify [--full] [--skip-decisions] [--anchor FILE] [--checkpoint-out FILE]
                                            the ledger from the newest verified checkpoint (routine: the hash chain,
                                            balance checkpoints and per-unit sums of what is new, row counts below);
                                            --full: from the first entry; check every entry's and decision's inbox
                                            event, re-decide every decision, check the database extends an anchored
                                            checkpoint; when OK record a verified checkpoint and write a signed one
                                            (ANCHOR_SECRET, ANCHOR_KEY_ID, CHECKPOINT_DIR)
  trial-balance [--as-of ISO | --as-of-seq N]
  balance <account> [--as-of ISO | --as-of-seq N]
  export --format jsonl|csv [--out FILE]    every entry with its lines and hashes, for an auditor
  export --archive FILE                     one verifiable archive of the whole database (manifest of hashes)
  import FILE [--check]                     load an archive into an EMPTY database, verify its ledger (--check: hashes only)
  worker                                    dispatch stored events in this process (holds the dispatch lease; sidecars then only ingest)
  replay [--into DATABASE_URL]              rebuild everything derived from the inbox into a fresh database and prove it identical
  outbox [--status pending|retrying|succeeded|failed|exhausted]
  reconcile --from <date|iso> --to <date|iso>   match Stripe's balance transactions to the ledger (STRIPE_SECRET_KEY, STRIPE_API_URL); exit 1 on any difference
  sign <METHOD> <path> [--body JSON] [--key KEY_ID] [--url BASE]   print a signed curl line
  policy simulate <candidate.json>          re-decide past cancellations under a candidate policy version
  policy lock                               rewrite policies/policies.lock.json from the policy files
  stripe setup --url https://…/webhooks/stripe [--rotate]   create or update the Stripe webhook endpoint (handled events, pinned API version); prints a new secret
  stripe delete-endpoint <we_…>             delete an old webhook endpoint (after a rotation)
  stripe events                             the handled Stripe event types, comma-separated (for stripe listen --events)
  config check [--demo]                     the effective configuration (secrets masked) and every problem; exit 1 if any
${OUTBOUND_USAGE}
Reads DATABASE_URL (default sqlite:./data/mybnb.sqlite; demo mode's is sqlite:./data/demo/mybnb.sqlite),
SIDECAR_KEYS, PORT like the service, from the environment or .env.`;

const out = (s = '') => process.stdout.write(`${s}\n`);

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = openDb(parseDatabaseUrl(process.env.DATABASE_URL));
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

function progressBar(total: number, label: string) {
  if (!process.stderr.isTTY && total < 10_000) return { update: (_n: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} entries`, stream: process.stderr, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 2000 }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
}

function asOf(values: Record<string, unknown>) {
  return {
    ...(typeof values['as-of'] === 'string' ? { time: values['as-of'] } : {}),
    ...(typeof values['as-of-seq'] === 'string' ? { seq: Number(values['as-of-seq']) } : {}),
  };
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'endpoints' || argv[0] === 'deliveries') return withDb((db) => runOutboundCli(argv, { db, env: process.env, out, now_ms: Date.now() }));
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      format: { type: 'string' }, out: { type: 'string' }, 'as-of': { type: 'string' }, 'as-of-seq': { type: 'string' },
      into: { type: 'string' }, status: { type: 'string' }, body: { type: 'string' }, key: { type: 'string' }, url: { type: 'string' },
      'skip-decisions': { type: 'boolean' }, full: { type: 'boolean' }, demo: { type: 'boolean' }, anchor: { type: 'string' }, 'checkpoint-out': { type: 'string' },
      archive: { type: 'string' }, check: { type: 'boolean' }, rotate: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }, from: { type: 'string' }, to: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    out(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'migrate':
      return withDb(async (db) => {
        const applied = await migrateLatest(db);
        out(applied.length ? `applied: ${applied.join(', ')}` : 'schema is current');
        return 0;
      });
    case 'verify':
      return withDb(async (db) => {
        const { seq } = await headSeq(db);
        const bar = progressBar(seq, 'verify');
        const secret = process.env.ANCHOR_SECRET;
        if (secret !== undefined && secret.length < 16) throw new Error('ANCHOR_SECRET must be at least 16 characters');
        const key = secret ? { keyId: process.env.ANCHOR_KEY_ID || 'anchor-1', secret } : undefined;
        const anchor = values.anchor ? (JSON.parse(readFileSync(values.anchor, 'utf8')) as Checkpoint) : undefined;
        const report = await verifyAll(db, { anchor, key, skipDecisions: values['skip-decisions'], onProgress: (n) => bar.update(n), now_ms: Date.now(), mode: values.full ? 'full' : 'routine' });
        bar.update(seq);
        bar.stop();
        for (const line of report.lines.slice(0, -1)) out(line);
        // Every verify that passes writes a signed checkpoint, to be kept OUTSIDE this database.
        if (report.checkpoint) {
          const dir = process.env.CHECKPOINT_DIR || './data/checkpoints';
          mkdirSync(dir, { recursive: true });
          const file = values['checkpoint-out'] ?? join(dir, `checkpoint-${String(report.checkpoint.head_seq).padStart(12, '0')}-${report.checkpoint.written_at.replace(/[:]/g, '')}.json`);
          writeFileSync(file, `${JSON.stringify(report.checkpoint, null, 2)}\n`);
          out(`checkpoint: ${file} (keep a copy outside this system; verify --anchor ${file} proves the database still extends it)`);
        } else if (!key) {
          out('checkpoint: not written (set ANCHOR_SECRET to sign one)');
        }
        out(report.lines[report.lines.length - 1]!);
        return report.ok ? 0 : 1;
      });
    case 'trial-balance':
      return withDb(async (db) => {
        const tb = await trialBalance(db, asOf(values));
        out(['unit', 'debits_minor', 'credits_minor', 'difference'].join('\t'));
        for (const r of tb.rows) out([r.unit, r.debits_minor, r.credits_minor, r.debits_minor - r.credits_minor].join('\t'));
        out('');
        out(['account', 'type', 'unit', 'balance_minor'].join('\t'));
        for (const a of tb.accounts) out([a.account, a.type, a.unit, a.balance_minor].join('\t'));
        return tb.rows.every((r) => r.debits_minor === r.credits_minor) ? 0 : 1;
      });
    case 'balance': {
      const account = rest[0];
      if (!account) throw new Error('balance needs an account code');
      return withDb(async (db) => {
        const b = await balanceOf(db, account, asOf(values));
        out(JSON.stringify({ ...b, debits_minor: String(b.debits_minor), credits_minor: String(b.credits_minor), balance_minor: String(b.balance_minor), as_of: asOf(values) }));
        return 0;
      });
    }
    case 'export': {
      if (values.archive) {
        const file = values.archive;
        return withDb((db) => exportArchiveCommand(db, file, out));
      }
      const format = values.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv') throw new Error('--format must be jsonl or csv');
      return withDb(async (db) => {
        const stream = values.out ? createWriteStream(values.out) : process.stdout;
        if (format === 'csv') stream.write('seq,entry_hash,prev_hash,idempotency_key,kind,booking_id,occurred_at,reverses_seq,line_no,account,unit,direction,amount_minor\n');
        const esc = (v: unknown) => { const s = v === null || v === undefined ? '' : String(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
        await forEachEntry(db, (e) => {
          if (format === 'jsonl') stream.write(`${JSON.stringify(e)}\n`);
          else e.lines.forEach((l, i) => stream.write(`${[e.seq, e.entry_hash, e.prev_hash, e.idempotency_key, e.kind, e.booking_id, e.occurred_at, e.reverses_seq, i + 1, l.account, l.unit, l.direction, l.amount_minor].map(esc).join(',')}\n`));
        });
        if (values.out) await new Promise((r) => (stream as ReturnType<typeof createWriteStream>).end(r));
        return 0;
      });
    }
    case 'stripe':
      return stripeCommand(rest[0], { ...(values.url ? { url: values.url } : {}), rotate: Boolean(values.rotate), ...(rest[1] ? { id: rest[1] } : {}) }, out);
    case 'import': {
      const file = rest[0];
      if (!file) throw new Error('import needs the archive FILE');
      return withDb((db) => importArchiveCommand(db, file, Boolean(values.check), out));
    }
    case 'replay':
      return withDb(async (source) => {
        const tmp = join(tmpdir(), `mybnb-replay-${process.pid}.sqlite`);
        const target = openDb(values.into ? parseDatabaseUrl(values.into) : { dialect: 'sqlite', filename: tmp });
        try {
          const total = Number((await source('inbox_events').count({ n: '*' }).first())?.n ?? 0);
          const bar = progressBar(total, 'replay');
          const r = await replayInto(source, target, { logger: pino({ level: 'warn' }), onProgress: (n) => bar.update(n) });
          bar.stop();
          out(`replayed ${r.events} inbox events into ${values.into ? describeTarget(parseDatabaseUrl(values.into)) : tmp}`);
          out(`source:   ${r.source.entries} entries, head ${r.source.head_hash}`);
          out(`replayed: ${r.replayed.entries} entries, head ${r.replayed.head_hash}`);
          out(`decisions: ${r.decisions.source} vs ${r.decisions.replayed}, ${r.decisions.identical ? 'identical' : 'DIFFERENT'}`);
          if (r.first_difference) out(`FIRST DIFFERENCE at seq ${r.first_difference.seq}: ${r.first_difference.source} vs ${r.first_difference.replayed}`);
          out(r.identical ? 'replay: IDENTICAL' : 'replay: DIFFERENT');
          return r.identical ? 0 : 1;
        } finally {
          await target.destroy();
          if (!values.into) for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true });
        }
      });
    case 'outbox':
      return withDb(async (db) => {
        const intents = await allIntents(db, values.status);
        for (const i of intents) out(`${i.status.padEnd(10)} ${i.operation.padEnd(20)} ${i.intent_id}  booking=${i.booking_id ?? '-'} attempts=${i.attempts.length}${i.attempts.length ? ` last=${i.attempts[i.attempts.length - 1]!.error_code ?? i.attempts[i.attempts.length - 1]!.outcome}` : ''}`);
        out(`${intents.length} intent(s)`);
        return 0;
      });
    case 'reconcile': {
      const period = periodOf(values.from, values.to);
      const key = process.env.STRIPE_SECRET_KEY;
      if (!key) throw new ConfigError('STRIPE_SECRET_KEY', 'is required: reconciliation reads Stripe');
      const api = process.env.STRIPE_API_URL ? new URL(process.env.STRIPE_API_URL) : null;
      const stripe = new Stripe(key, { maxNetworkRetries: 2, telemetry: false, ...(api ? { host: api.hostname, port: Number(api.port || 443), protocol: api.protocol.replace(':', '') as 'http' | 'https' } : {}) });
      return withDb(async (db) => {
        const report = await reconcileWithStripe(db, stripe, period);
        out(JSON.stringify(report, null, 2));
        return report.ok ? 0 : 1;
      });
    }
    case 'sign': {
      const [method, path] = rest;
      if (!method || !path || !path.startsWith('/')) throw new Error('sign needs METHOD and a path starting with /');
      const keys = process.env.SIDECAR_KEYS ? parseSidecarKeys(process.env.SIDECAR_KEYS) : DEMO_KEYS;
      // Without --key: the first key whose role the route allows (http/route-roles.ts).
      const route = routeOf(method, path);
      const allowed = route && ROUTE_ROLES[route] !== PUBLIC ? (ROUTE_ROLES[route] as readonly string[]) : [];
      const key = values.key ? keys.find((k) => k.keyId === values.key) : keys.find((k) => allowed.includes(k.role)) ?? keys[0];
      if (!key) throw new Error(`no key ${values.key ?? ''} in SIDECAR_KEYS`);
      const body = values.body ?? '';
      const header = signatureHeaderValue({ keyId: key.keyId, secret: key.secret, t: Math.floor(Date.now() / 1000), method: method.toUpperCase(), pathWithQuery: path, body });
      const base = values.url ?? `http://127.0.0.1:${process.env.PORT ?? '8787'}`;
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      out(`curl -sS -X ${method.toUpperCase()} -H ${q(`MyBnB-Signature: ${header}`)}${body ? ` -H 'content-type: application/json' --data-binary ${q(body)}` : ''} ${q(base + path)}; echo`);
      return 0;
    }
    case 'policy': {
      const [sub, file] = rest;
      if (sub === 'lock') {
        const lockFile = join(POLICY_DIR, 'policies.lock.json');
        writeFileSync(lockFile, `${JSON.stringify(computeLock(readPolicyFiles(POLICY_DIR)), null, 2)}\n`);
        out(`wrote ${lockFile}`);
        return 0;
      }
      if (sub === 'simulate' && file) {
        return withDb(async (db) => {
          const report = await simulatePolicy(db, JSON.parse(readFileSync(file, 'utf8')));
          out(JSON.stringify(report, null, 2));
          return 0;
        });
      }
      throw new Error('policy simulate <candidate.json> | policy lock');
    }
    case 'worker':
      return withDb(async (db) => {
        await runWorker(db, out);
        return 0;
      });
    case 'config':
      if (rest[0] !== 'check') throw new Error('config check [--demo]');
      return configCheck(process.env, { demo: values.demo === true }, out);
    default:
      out(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`);
  else process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(2);
});
