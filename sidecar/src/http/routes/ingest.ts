import { Router, type RequestHandler } from 'express';
import { DomainError, isDomainError } from '../../kernel/index.js';
import { currentPolicyVersion } from '../../flows/evidence/policy-versions.js';
import { ingestBookingEvent, storeStripeWebhook } from '../../sari/ingest.js';
import { verifyStripeWebhook, type VerifiedStripeEvent } from '../../sari/stripe-webhook.js';
import { route, type SignedFor } from '../app.js';
import { problemOf, sendProblem } from '../problem.js';
import type { Services } from '../services.js';
import { checkSubscriptionRequest } from '../../pipeline/subscription-request-check.js';

export function ingestRoutes(s: Services, mw: { signedFor: SignedFor; webhookLimit: RequestHandler; noiseLimit: RequestHandler }): Router {
  const r = Router();

  // Past the backlog limit the inbox stops taking work: senders retry, the process never buffers it.
  const backpressure: RequestHandler = (_req, res, next) => {
    if (s.dispatcher.backlog() >= s.config.inboxMaxBacklog) {
      sendProblem(res, problemOf('overloaded', `dispatch backlog is ${s.dispatcher.backlog()} events; retry later`), { 'Retry-After': '5' });
      return;
    }
    next();
  };

  // Stripe's signature is checked before its bucket is spent; failures spend the noise bucket.
  const stripeVerified: RequestHandler = (req, res, next) => {
    try {
      res.locals.stripeEvent = verifyStripeWebhook(req.rawBody!, req.get('Stripe-Signature'), s.config.stripeWebhookSecrets, Math.floor(s.now_ms() / 1000));
      next();
    } catch (e) {
      if (isDomainError(e, 'signature_invalid')) void mw.noiseLimit(req, res, () => next(e));
      else next(e);
    }
  };

  r.post('/webhooks/stripe', stripeVerified, mw.webhookLimit, backpressure, route(async (req, res) => {
    const stored = await storeStripeWebhook(s.inbox, req.rawBody!, res.locals.stripeEvent as VerifiedStripeEvent, s.now_ms());
    s.metrics.inboxStored.inc({ source: 'stripe', result: stored.duplicate ? 'duplicate' : 'stored' });
    if (!stored.duplicate) s.dispatcher.noteStored(stored.inbox_id);
    res.status(200).json({ received: true, duplicate: stored.duplicate, event_id: stored.event_id });
  }));

  // A cancellation policy once published stays published (the policy log is append-only), so a
  // name found once is known for good and its confirmations skip the lookup (issue #11, a query per
  // confirmation); a name not found is looked up again every time, as it may be published later.
  const knownPolicies = new Set<string>();
  const policyKnown = async (id: string): Promise<boolean> => {
    if (knownPolicies.has(id)) return true;
    if (!(await currentPolicyVersion(s.db, 'cancellation', id))) return false;
    knownPolicies.add(id);
    return true;
  };

  r.post('/events/booking', ...mw.signedFor('POST /events/booking'), backpressure, route(async (req, res) => {
    if (!req.is('application/json')) throw new DomainError('unsupported_media_type', 'events are application/json');
    const stored = await ingestBookingEvent(s.inbox, req.rawBody!, s.now_ms(), async (event) => {
      if (event.type === 'booking.confirmed' && !(await policyKnown(event.data.cancellation_policy))) {
        throw new DomainError('unknown_policy', `unknown cancellation policy ${event.data.cancellation_policy}`, { field: 'data.cancellation_policy' });
      }
      await checkSubscriptionRequest(s.db, event);
      if (event.type === 'money.retry_requested' && !(await s.db('outbox_intents').where({ intent_id: event.data.intent_id }).first('intent_id'))) {
        throw new DomainError('not_found', `no outbound intent ${event.data.intent_id}`, { field: 'data.intent_id' });
      }
    }, s.config.eventMaxSkew_s);
    s.metrics.inboxStored.inc({ source: 'booking', result: stored.duplicate ? 'duplicate' : 'stored' });
    if (!stored.duplicate) s.dispatcher.noteStored(stored.inbox_id);
    res.status(stored.duplicate ? 200 : 202).json({ received: true, duplicate: stored.duplicate, event_id: stored.event.id, status_url: `/inbox/booking/${encodeURIComponent(stored.event.id)}` });
  }));
  return r;
}
