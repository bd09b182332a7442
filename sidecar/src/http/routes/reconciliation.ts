import { Router } from 'express';
import Stripe from 'stripe';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { Config } from '../../config.js';
import { periodOf, reconcileWithStripe } from '../../pipeline/reconcile.js';
import { route, type SignedFor } from '../app.js';
import type { Services } from '../services.js';

/** A read-only Stripe client for reconciliation, from the same configuration the outbox uses. */
export function stripeReader(config: Config): Stripe {
  if (!config.stripeSecretKey) throw new DomainError('not_ready', 'STRIPE_SECRET_KEY is not configured: reconciliation reads Stripe');
  const url = config.stripeApiUrl;
  return new Stripe(config.stripeSecretKey, {
    maxNetworkRetries: 2, timeout: 20_000, telemetry: false,
    ...(url ? { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
}

const Query = z.strictObject({ from: z.string().min(1).max(40), to: z.string().min(1).max(40) });

/** GET /reconciliation?from=&to= (signed): matched, missing from the ledger, unknown to Stripe, amount differences. Reads only. */
export function reconciliationRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  r.get('/reconciliation', ...mw.signedFor('GET /reconciliation'), route(async (req, res) => {
    const q = Query.safeParse(req.query);
    if (!q.success) throw new DomainError('validation_failed', 'from and to are required (dates YYYY-MM-DD or ISO 8601 UTC instants), nothing else', { field: String(q.error.issues[0]?.path[0] ?? 'from') });
    const period = periodOf(q.data.from, q.data.to);
    res.json(await reconcileWithStripe(s.db, stripeReader(s.config), period));
  }));
  return r;
}
