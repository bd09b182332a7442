/**
 * A `/healthz` server built from some of the sidecar's HTTP layers (LAYERS, comma-separated), in
 * its own process, for layers.ts: node (a bare node:http handler, nothing else), express, helmet,
 * access (the access log, logger silent), metrics (the request histogram and counter), raw (the
 * raw body parser), noetag (express's ETag off).
 */
import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { pino } from 'pino';
import { accessLog } from '../../sidecar/src/http/access-log.js';
import { createMetrics } from '../../sidecar/src/http/metrics.js';

const layers = new Set((process.env.LAYERS ?? '').split(',').filter(Boolean));
let server;
if (layers.has('node')) {
  server = createServer((_req, res) => {
    const body = JSON.stringify({ status: 'ok' });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
} else {
  const app = express();
  app.disable('x-powered-by');
  if (layers.has('noetag')) app.set('etag', false);
  if (layers.has('helmet')) app.use(helmet());
  if (layers.has('access')) app.use(accessLog(pino({ level: 'silent' })));
  if (layers.has('metrics')) {
    const m = createMetrics();
    app.use((req: Request, res: Response, next: NextFunction) => {
      const end = m.httpDuration.startTimer();
      res.on('finish', () => {
        const route = (req.route?.path as string | undefined) ?? 'unmatched';
        end({ route });
        m.httpRequests.inc({ route, status: String(res.statusCode) });
      });
      next();
    });
  }
  if (layers.has('raw')) {
    app.use(express.raw({ type: () => true, limit: 256 * 1024 }));
    app.use((req: Request, _res, next) => {
      (req as Request & { rawBody?: Buffer }).rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      next();
    });
  }
  const r = express.Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(r);
  server = createServer(app);
}
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.send!({ port: typeof a === 'object' && a ? a.port : 0 });
});
process.on('SIGINT', () => process.exit(0));
process.on('message', (m: string) => {
  if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
  if (m === 'stop') process.exit(0);
});
