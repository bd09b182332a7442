import { Router } from 'express';
import { suspenseMovements } from '../../flows/read-models/suspense.js';
import { route, type SignedFor } from '../app.js';
import type { Services } from '../services.js';

/** GET /suspense: real movements outside policy (issue #13), for auditors and operators. */
export function suspenseRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  r.get('/suspense', ...mw.signedFor('GET /suspense'), route(async (_req, res) => {
    res.json(await suspenseMovements(s.db));
  }));
  return r;
}
