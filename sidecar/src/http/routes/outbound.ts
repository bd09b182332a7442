import { Router } from 'express';
import { DomainError } from '../../kernel/index.js';
import { DELIVERY_STATUSES, listDeliveries, type DeliveryStatus } from '../../flows/outbound/deliveries.js';
import { route, type SignedFor } from '../app.js';
import type { Services } from '../services.js';

/**
 * GET /outbound/deliveries?status=pending|retrying|delivered|dead|gone[&endpoint_id=][&booking_id=][&limit=]
 * Outbound deliveries (one event to one endpoint) with their latest attempt: where dead letters
 * are seen. Signed by an operator key (http/route-roles.ts).
 */
export function outboundRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  r.get('/outbound/deliveries', ...mw.signedFor('GET /outbound/deliveries'), route(async (req, res) => {
    const q = (name: string) => (typeof req.query[name] === 'string' && req.query[name] !== '' ? String(req.query[name]) : undefined);
    const status = q('status');
    if (status !== undefined && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
      throw new DomainError('validation_failed', `status must be one of ${DELIVERY_STATUSES.join(', ')}`, { field: 'status' });
    }
    const limitRaw = q('limit');
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new DomainError('validation_failed', 'limit is an integer from 1 to 1000', { field: 'limit' });
    const deliveries = await listDeliveries(s.db, { status: status as DeliveryStatus | undefined, endpoint_id: q('endpoint_id'), booking_id: q('booking_id'), limit });
    res.json({ status: status ?? null, deliveries });
  }));
  return r;
}
