/**
 * Outbound event delivery: deliveries/s from the outbox to a local receiver, beside a bare HTTP
 * POST loop to the same receiver in the same run (the ceiling: signing, the database and the
 * ordering rules are what the difference costs).
 *
 *   node --import tsx bench/outbound/run.ts [--events 2000] [--bookings 500] [--quick] [--no-docs]
 *
 * Cases, each on SQLite and MariaDB: many bookings (events spread over `bookings`, concurrent
 * across them, 8 in flight per endpoint) and one booking (every event in one stream: strictly one
 * at a time, in seq order). The baseline POSTs the same bodies with the same concurrency.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { freshDatabase, type Dialect } from '../../sidecar/src/testing/databases.js';
import type { Db } from '../../sidecar/src/db/connect.js';
import { emitOutbound } from '../../sidecar/src/flows/outbound/emit.js';
import { addEndpoint } from '../../sidecar/src/flows/outbound/endpoints.js';
import { OutboundWorker } from '../../sidecar/src/flows/outbound/worker.js';
import { parseArgs } from '../lib/args.js';
import { load1, machine, mysqlVersion, sqliteVersion } from '../lib/env.js';
import { formatNumber, formatRatio, markdownTable } from '../lib/table.js';
import { perSecond, timed } from '../lib/timing.js';
import { rewriteSection } from '../lib/docs-section.js';

const KEY = 'bench-outbound-secrets-key-0123456789abcdef';
const PER_ENDPOINT = 8;
const args = parseArgs(process.argv.slice(2), { numbers: ['events', 'bookings'], flags: ['quick', 'no-docs'] });
const EVENTS = (args.events as number | undefined) ?? (args.quick ? 300 : 2000);
const BOOKINGS = (args.bookings as number | undefined) ?? (args.quick ? 100 : 500);
const ONE_STREAM = args.quick ? 100 : 400;

async function receiver() {
  let received = 0;
  const agentSafe = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  agentSafe.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => agentSafe.listen(0, '127.0.0.1', () => r()));
  const port = (agentSafe.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks`, received: () => received, close: () => new Promise<void>((r) => { agentSafe.closeAllConnections(); agentSafe.close(() => r()); }) };
}

/** The ceiling: the same bodies POSTed with the same concurrency, keep-alive, nothing else. */
async function barePosts(url: string, bodies: string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      await new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end(body);
      });
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: PER_ENDPOINT }, lane)));
  agent.destroy();
  return perSecond(bodies.length, ms);
}

async function fill(db: Db, events: number, bookings: number, tag: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let start = 0; start < events; start += 200) {
    await db.transaction(async (trx) => {
      for (let i = start; i < Math.min(events, start + 200); i++) {
        const booking_id = `bk_${tag}_${i % bookings}`;
        await emitOutbound(trx, {
          type: 'refund.issued', booking_id, occurred_at: '2026-09-01T12:00:00Z', inbox_id: i + 1,
          data: { booking_id, refund_id: `re_${tag}_${i}`, amount_minor: 1000 + i, currency: 'EUR', rule: { policy: 'cancellation/moderate', version: 1, hash: `sha256:${'a'.repeat(64)}` }, decision_id: `d_${i}`, entry_ids: [`refund:re_${tag}_${i}`] },
        });
      }
    });
  }
  const rows = (await db('outbound_events').where('stream_key', 'like', `booking:bk_${tag}_%`).select('body')) as Array<{ body: string }>;
  for (const r of rows) bodies.push(r.body);
  return bodies;
}

type Row = { dialect: string; kase: string; events: number; deliveries_s: number; bare_s: number };

async function runCase(dialect: Dialect, kase: string, events: number, bookings: number): Promise<Row> {
  const t = await freshDatabase(dialect);
  const rx = await receiver();
  try {
    // The endpoint receives what is emitted after it was added: add it, then fill the outbox.
    await addEndpoint(t.db, { url: rx.url, events: ['*'], allow_private: true, secretsKey: KEY, now_iso: new Date().toISOString() });
    const bodies = await fill(t.db, events, bookings, kase.replace(/\W/g, ''));
    const bare_s = await barePosts(rx.url, bodies);
    const worker = new OutboundWorker(t.db, { logger: pino({ level: 'silent' }), secretsKey: KEY, allowHttp: true, perEndpoint: PER_ENDPOINT });
    const before = rx.received();
    const { ms } = await timed(() => worker.drain(Date.now()));
    await worker.stop();
    const delivered = rx.received() - before;
    if (delivered !== events) throw new Error(`${kase}: ${delivered} deliveries for ${events} events`);
    return { dialect, kase, events, deliveries_s: perSecond(events, ms), bare_s };
  } finally {
    await rx.close();
    await t.drop();
  }
}

const dialects: Dialect[] = (await mysqlVersion()) ? ['sqlite', 'mysql'] : ['sqlite'];
const rows: Row[] = [];
for (const dialect of dialects) {
  rows.push(await runCase(dialect, `${BOOKINGS} bookings`, EVENTS, BOOKINGS));
  rows.push(await runCase(dialect, 'one booking (in order)', ONE_STREAM, 1));
}
const table = markdownTable(
  ['database', 'case', 'events', 'deliveries/s', 'bare POST/s (same run)', 'ratio'],
  rows.map((r) => [r.dialect === 'mysql' ? 'MariaDB' : 'SQLite', r.kase, String(r.events), formatNumber(r.deliveries_s), formatNumber(r.bare_s), formatRatio(r.deliveries_s / r.bare_s)]),
);
const env = `Machine: ${machine()}, load ${load1()}; SQLite ${await sqliteVersion()}${dialects.includes('mysql') ? `, MariaDB ${await mysqlVersion()}` : ''}. Receiver: node http on 127.0.0.1 answering 204; ${PER_ENDPOINT} in flight per endpoint; keep-alive on both sides.`;
const body = `${table}\n\n${env}`;
process.stdout.write(`${body}\n`);
if (!args['no-docs']) {
  const file = join(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)));
  rewriteSection(file, 'outbound', '## Outbound events', body);
}
