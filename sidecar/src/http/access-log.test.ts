import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createLogger } from '../server.js';
import { accessLog } from './access-log.js';

// The access log without a database: one line per request, the fields and their order as the
// pino-http line had them (operators' queries and the dashboards read these), 5xx at level error.

async function serve(level: 'trace' | 'silent') {
  const lines: string[] = [];
  const app = express();
  app.use(accessLog(createLogger(level, { write: (l: string) => void lines.push(l) })));
  const r = express.Router();
  r.get('/things/:id', (_req, res) => void res.json({ ok: true }));
  r.get('/broken', (_req, res) => void res.status(503).json({ ok: false }));
  app.use(r);
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { lines, url, stop: () => new Promise<void>((res) => server.close(() => res())) };
}

test('one line per request: request id, method, path without the query, route, status, duration, message', async () => {
  const s = await serve('trace');
  try {
    const ok = await fetch(`${s.url}/things/42?secret=x`, { headers: { 'X-Request-Id': 'rid-access-1' } });
    assert.equal(ok.headers.get('x-request-id'), 'rid-access-1', 'a sane X-Request-Id is echoed');
    const bad = await fetch(`${s.url}/nowhere`, { headers: { 'X-Request-Id': 'not sane!' } });
    assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'an insane one is replaced by a new id');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.lines.length, 2, 'one line per request');
    const first = JSON.parse(s.lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(first), ['level', 'time', 'pid', 'hostname', 'reqId', 'req', 'route', 'res', 'duration_ms', 'msg']);
    assert.equal(first.level, 30);
    assert.equal(first.reqId, 'rid-access-1');
    assert.deepEqual(first.req, { id: 'rid-access-1', method: 'GET', path: '/things/42' });
    assert.equal(first.route, '/things/:id');
    assert.deepEqual(first.res, { status: 200 });
    assert.equal(typeof first.duration_ms, 'number');
    assert.equal(first.msg, 'GET /things/42 200');
    assert.ok(!s.lines[0]!.includes('secret=x'), 'no query string is logged');
    const second = JSON.parse(s.lines[1]!) as Record<string, unknown>;
    assert.equal(second.route, 'unmatched');
    assert.equal((second.res as { status: number }).status, 404);
  } finally {
    await s.stop();
  }
});

test('a 5xx is logged at level error with an err naming the status; nothing is built when the level is off', async () => {
  const s = await serve('trace');
  try {
    assert.equal((await fetch(`${s.url}/broken`)).status, 503);
    await new Promise((r) => setTimeout(r, 20));
    const line = JSON.parse(s.lines[0]!) as { level: number; err: { message: string; type: string }; res: { status: number } };
    assert.equal(line.level, 50);
    assert.equal(line.err.type, 'Error');
    assert.equal(line.err.message, 'failed with status code 503');
    assert.equal(line.res.status, 503);
  } finally {
    await s.stop();
  }
  const quiet = await serve('silent');
  try {
    const r = await fetch(`${quiet.url}/things/1`);
    assert.equal(r.status, 200);
    assert.ok(r.headers.get('x-request-id'), 'the id is still echoed with logging off');
    await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(quiet.lines, []);
  } finally {
    await quiet.stop();
  }
});
