import type { SignedFor } from '../app.js';
import { Router } from 'express';
import { formatIsoUtc } from '../../kernel/index.js';
import type { Services } from '../services.js';

/**
 * GET /whoami — a signed round trip for a client's "Test connection": which key verified, its
 * role, and the sidecar's clock (so the client can show its skew before signatures start failing).
 * Says nothing a signed caller does not already know.
 */
export function whoamiRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  r.get('/whoami', ...mw.signedFor('GET /whoami'), (req, res) => {
    const key = req.sidecarKey;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ key_id: key?.keyId ?? null, role: key?.role ?? null, server_time: formatIsoUtc(s.now_ms()) });
  });
  return r;
}
