import { Router } from 'express';
import { pendingMigrations } from '../../db/migrate.js';
import { route } from '../app.js';
import { problemOf, sendProblem } from '../problem.js';
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
    res.json({ status: 'ready', backlog: s.dispatcher.backlog() });
  }));
  r.get('/metrics', route(async (_req, res) => {
    res.type(s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  }));
  return r;
}
