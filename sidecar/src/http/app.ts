import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { DomainError } from '../kernel/index.js';
import { problemHandler, problemOf, sendProblem } from './problem.js';
import { requireSignature } from './signature-middleware.js';
import { rateLimits } from './rate-limits.js';
import { rolesOf, type RouteKey } from './route-roles.js';

/** The middleware a signed route runs before its handler: signature, role, the key's rate limit. */
export type SignedFor = (route: RouteKey) => RequestHandler[];
import type { Services } from './services.js';
import { opsRoutes } from './routes/ops.js';
import { ingestRoutes } from './routes/ingest.js';
import { readRoutes } from './routes/reads.js';
import { accessLog } from './access-log.js';
import { reconciliationRoutes } from './routes/reconciliation.js';
import { suspenseRoutes } from './routes/suspense.js';
import { guestBookingsRoutes } from './routes/guest-bookings.js';
import { whoamiRoutes } from './routes/whoami.js';
import { outboundRoutes } from './routes/outbound.js';
import { subscriptionRoutes } from './routes/subscriptions.js';

export const MAX_BODY_BYTES = 256 * 1024;

export function createApp(s: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // No ETag: no client revalidates these answers (money previews and acknowledgements are not
  // cached), and Express would hash every body for it (issue #11, CPU per request).
  app.set('etag', false);
  app.use(helmet());
  app.use(accessLog(s.logger));
  app.use(requestMetrics(s));
  // Every body is kept raw: signatures cover the exact bytes, and JSON is parsed only after they verify.
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  app.use((req: Request, _res, next) => {
    req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    next();
  });

  app.use(opsRoutes(s));

  const limits = rateLimits(s.config.rateLimitPerMinute);
  const clock_s = () => Math.floor(s.now_ms() / 1000);
  // Signature, then the route's roles (http/route-roles.ts), then the key's bucket.
  const signedFor: SignedFor = (route) => [requireSignature(s.config.sidecarKeys, rolesOf(route), clock_s, limits.noise), limits.perKey];

  app.use(ingestRoutes(s, { signedFor, webhookLimit: limits.stripe, noiseLimit: limits.noise }));
  app.use(readRoutes(s, { signedFor }));
  app.use(suspenseRoutes(s, { signedFor }));
  app.use(reconciliationRoutes(s, { signedFor }));
  app.use(guestBookingsRoutes(s, { signedFor }));
  app.use(whoamiRoutes(s, { signedFor }));
  app.use(outboundRoutes(s, { signedFor }));
  app.use(subscriptionRoutes(s, { signedFor }));

  app.use((req: Request, res: Response) => sendProblem(res, problemOf('not_found', `no route ${req.method} ${req.path}`)));
  app.use(problemHandler(s.logger));
  return app;
}

function requestMetrics(s: Services) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = s.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ route });
      s.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    });
    next();
  };
}

/** Wraps an async route so its errors reach the problem handler. */
export function route(fn: (req: Request, res: Response) => Promise<void> | void) {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve(fn(req, res)).catch(next);
  };
}

/** A required query parameter. Takes the request, or `{ query }` read once (Express 5 parses the query string on every read of `req.query`). */
export function requireQuery(req: Pick<Request, 'query'>, name: string): string {
  const v = req.query[name];
  if (typeof v !== 'string' || v === '') throw new DomainError('validation_failed', `query parameter ${name} is required`, { field: name });
  return v;
}
