import { Router } from 'express';
import { DomainError } from '../../kernel/index.js';
import { subscriptionView } from '../../flows/read-models/subscription-view.js';
import { previewPlanChange, previewSubscriptionCancel } from '../../pipeline/subscription-preview.js';
import type { Db } from '../../db/connect.js';
import { requireQuery, route, type SignedFor } from '../app.js';
import type { Services } from '../services.js';
import type { Request } from 'express';

/** GET /hosts/:id/subscription (contract, second release). */
export function subscriptionRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  r.get('/hosts/:id/subscription', ...mw.signedFor('GET /hosts/:id/subscription'), route(async (req, res) => {
    const view = await subscriptionView(s.db, String(req.params.id));
    if (!view) throw new DomainError('not_found', `host ${String(req.params.id)} has no subscription`);
    res.json(view);
  }));
  return r;
}

/** The subscription actions of GET /preview/outcome, or undefined for another action. */
export async function subscriptionPreview(db: Db, req: Request, action: string, at: string): Promise<unknown> {
  if (action === 'cancel_subscription') return previewSubscriptionCancel(db, requireQuery(req, 'host_id'), at);
  if (action === 'change_plan') return previewPlanChange(db, requireQuery(req, 'host_id'), requireQuery(req, 'price'), at);
  return undefined;
}

