/**
 * A stand-in for the sidecar's signed reads, for working on the WordPress side alone
 * (`E2E_SIDECAR=stub bash e2e/run.sh`). It verifies signatures with the sidecar's own code, accepts
 * the story's events, and answers the read shapes with amounts derived from them. CI uses the real
 * sidecar; this file is never what `npm run test:e2e` proves.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { parseSignatureHeader, signatureMatches } from '../sidecar/src/sari/request-signature.js';

type Key = { keyId: string; secret: string; role: string };
const keys: Key[] = (process.env['SIDECAR_KEYS'] ?? '').split(',').filter(Boolean).map((k) => {
  const [keyId = '', secret = '', role = ''] = k.split(':');
  return { keyId, secret, role };
});

type Confirmed = Record<string, unknown> & { booking_id: string; guest_id: string; host_id: string; currency: string };
const bookings = new Map<string, Confirmed>();
const sha = (s: string): string => 'sha256:' + createHash('sha256').update(s).digest('hex');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title: code, status, code, detail }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function totals(b: Confirmed): number {
  return num(b['nightly_total']) + num(b['cleaning_fee']) + num(b['guest_service_fee']) + num(b['taxes']);
}

function statementRow(b: Confirmed) {
  const gross = num(b['nightly_total']) + num(b['cleaning_fee']);
  const fee = Math.floor(gross * 3 / 100);
  return { booking_id: b.booking_id, currency: b.currency, gross_minor: gross, host_fee_minor: fee, refunds_minor: 0, reversals_minor: 0, penalties_minor: 0, transfers_minor: 0, net_minor: gross - fee };
}

function read(res: ServerResponse, url: URL, role = 'reader', keyId = ''): void {
  const path = url.pathname;
  let m: RegExpMatchArray | null;
  if (path === '/whoami') return json(res, { key_id: keyId, role, server_time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
  if ((m = path.match(/^\/guests\/([^/]+)\/bookings$/))) {
    const guestId = decodeURIComponent(m[1] ?? '');
    const rows = [...bookings.values()].filter((b) => b.guest_id === guestId).map((b) => ({
      booking_id: b.booking_id, host_id: b.host_id, state: 'paid', currency: b.currency, check_in: b['check_in'], check_out: b['check_out'],
      time_zone: b['time_zone'], total_minor: totals(b), paid_minor: totals(b), refunded_minor: 0,
    }));
    return json(res, { guest_id: guestId, limit: Number(url.searchParams.get('limit') ?? 20), bookings: rows, next_cursor: null });
  }
  if (path === '/preview/outcome') {
    const b = bookings.get(url.searchParams.get('booking_id') ?? '');
    if (!b) return problem(res, 404, 'not_found', 'no such booking');
    const outcome = { currency: b.currency, refund_to_guest: num(b['nightly_total']) + num(b['cleaning_fee']) + num(b['taxes']), credit_to_guest: 0, host_payout: 0, platform_fee_kept: num(b['guest_service_fee']), taxes_kept: 0, host_penalty: 0, host_recovery: 0, lines: {} };
    const rule = { policy: 'cancellation/moderate', version: 1, hash: sha('moderate-v1') };
    const at = Date.now();
    return json(res, {
      allowed: true, rule, outcome,
      valid_until: new Date(at + 26 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      explanation: ['Full refund of nights, cleaning and taxes until 5 days before check-in.', 'The guest service fee is kept.'],
      outcome_hash: sha(JSON.stringify([b.booking_id, url.searchParams.get('by'), rule, outcome])),
      evaluated_at: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  if ((m = path.match(/^\/bookings\/([^/]+)$/))) {
    const b = bookings.get(decodeURIComponent(m[1] ?? ''));
    if (!b) return problem(res, 404, 'not_found', 'no such booking');
    return json(res, {
      ...b, state: 'confirmed', rule: { policy: 'cancellation/moderate', version: 1, hash: sha('moderate-v1') },
      price_lines: ['nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes'].map((code) => ({ code, label: code.replace(/_/g, ' '), amount_minor: num(b[code]) })),
      total_minor: totals(b), paid_minor: totals(b), refunded_minor: 0, fees: { host_fee_minor: 0, stripe_fee_minor: 0 }, transfers: [], next_step: null,
    });
  }
  if ((m = path.match(/^\/bookings\/([^/]+)\/receipt$/))) {
    const b = bookings.get(decodeURIComponent(m[1] ?? ''));
    if (!b) return problem(res, 404, 'not_found', 'no such booking');
    return json(res, { booking_id: b.booking_id, guest_id: b.guest_id, currency: b.currency, lines: [{ label: 'Stay', amount_minor: totals(b), kind: 'charge' }], paid_minor: totals(b), refunded_minor: 0, net_paid_minor: totals(b), credits_granted: 0 });
  }
  if ((m = path.match(/^\/hosts\/([^/]+)\/statement$/))) {
    const hostId = decodeURIComponent(m[1] ?? '');
    const rows = [...bookings.values()].filter((b) => b.host_id === hostId).map(statementRow);
    const byCurrency = new Map<string, ReturnType<typeof statementRow>>();
    for (const r of rows) {
      const t = byCurrency.get(r.currency) ?? { ...r, booking_id: '', gross_minor: 0, host_fee_minor: 0, net_minor: 0 };
      t.gross_minor += r.gross_minor; t.host_fee_minor += r.host_fee_minor; t.net_minor += r.net_minor;
      byCurrency.set(r.currency, t);
    }
    const totalsRows = [...byCurrency.values()].map(({ booking_id: _omit, ...t }) => t);
    if (url.searchParams.get('format') === 'csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      return void res.end('booking_id,currency,gross_minor,host_fee_minor,net_minor\n' + rows.map((r) => `${r.booking_id},${r.currency},${r.gross_minor},${r.host_fee_minor},${r.net_minor}`).join('\n') + '\n');
    }
    return json(res, { host_id: hostId, from: url.searchParams.get('from'), to: url.searchParams.get('to'), bookings: rows, totals: totalsRows });
  }
  problem(res, 404, 'not_found', 'no such route');
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    if (url.pathname === '/readyz' || url.pathname === '/healthz') return json(res, { status: 'ready' });
    const parsed = parseSignatureHeader(req.headers['mybnb-signature'] as string | undefined);
    const key = parsed ? keys.find((k) => k.keyId === parsed.keyId) : undefined;
    if (!parsed || !key) return problem(res, 401, 'signature_invalid', 'not authenticated');
    if (Math.abs(Date.now() / 1000 - parsed.t) > 300) return problem(res, 401, 'signature_invalid', 'not authenticated');
    if (!signatureMatches(key.secret, parsed, req.method ?? 'GET', req.url ?? '/', body)) return problem(res, 401, 'signature_invalid', 'bad signature');
    if (req.method === 'POST' && url.pathname === '/events/booking') {
      if (key.role !== 'booking-engine') return problem(res, 403, 'forbidden_role', 'reader keys cannot post');
      const event = JSON.parse(body) as { type: string; data: Confirmed };
      if (event.type === 'booking.confirmed') bookings.set(event.data.booking_id, event.data);
      res.writeHead(202, { 'content-type': 'application/json' });
      return void res.end('{"stored":true}');
    }
    if (req.method !== 'GET') return problem(res, 405, 'bad_request', 'GET only');
    read(res, url, key.role, key.keyId);
  });
});

const port = Number(process.env['PORT'] ?? 18787);
server.listen(port, '127.0.0.1', () => console.log(`stub-sidecar listening on http://127.0.0.1:${port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
