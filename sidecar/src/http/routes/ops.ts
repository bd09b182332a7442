import { Router } from 'express';
import { pendingMigrations } from '../../db/migrate.js';
import { dispatchLag } from '../../sari/dispatch-lag.js';
import { route } from '../app.js';
import { problemOf, sendProblem } from '../problem.js';
import { requireSignature } from '../signature-middleware.js';
import { METRICS_ROLES } from '../metrics-roles.js';
import { openApiDocument } from '../openapi/index.js';
import type { Services } from '../services.js';


export function opsRoutes(s: Services): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', route(async (_req, res) => {
    try {
      await s.db.raw('SELECT 1');
    } catch {
      return sendProblem(res, problemOf('not_ready', 'the database is not reachable'));
    }
    const pending = await pendingMigrations(s.db);
    if (pending.length > 0) return sendProblem(res, problemOf('schema_behind', `migrations pending: ${pending.join(', ')}; run npm run migrate`));
    const lag = await dispatchLag(s.db, s.now_ms());
    const bound_s = s.config.ops.readyMaxDispatchLag_s;
    if (lag.lag_s > bound_s) {
      return sendProblem(res, problemOf('not_ready', `dispatch lag ${Math.round(lag.lag_s)} s is over READY_MAX_DISPATCH_LAG_S (${bound_s} s)`, { lag_s: Math.round(lag.lag_s), backlog: lag.backlog }));
    }
    res.json({ status: 'ready', backlog: lag.backlog, lag_s: Math.round(lag.lag_s) });
  }));
  // The API contract, unsigned: generated from the same zod schemas the code uses.
  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  const signed = requireSignature(s.config.sidecarKeys, METRICS_ROLES, () => Math.floor(s.now_ms() / 1000));
  r.get('/metrics', signed, route(async (_req, res) => {
    res.type(s.metrics.registry.contentType).send(await s.metrics.scrape());
  }));
  return r;
}
