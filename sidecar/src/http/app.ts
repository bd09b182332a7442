import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { DomainError } from '../kernel/index.js';
import { problemHandler, problemOf, sendProblem } from './problem.js';
import { requireSignature } from './signature-middleware.js';
import type { Services } from './services.js';
import { opsRoutes } from './routes/ops.js';
import { ingestRoutes } from './routes/ingest.js';
import { readRoutes } from './routes/reads.js';
import { reconciliationRoutes } from './routes/reconciliation.js';
import { guestBookingsRoutes } from './routes/guest-bookings.js';
import { whoamiRoutes } from './routes/whoami.js';

export const MAX_BODY_BYTES = 256 * 1024;

export function createApp(s: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  app.use(requestMetrics(s));
  // Every body is kept raw: signatures cover the exact bytes, and JSON is parsed only after they verify.
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  app.use((req: Request, _res, next) => {
    req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    next();
  });

  app.use(opsRoutes(s));

  const signedAny = requireSignature(s.config.sidecarKeys, ['reader', 'booking-engine'], () => Math.floor(s.now_ms() / 1000));
  const signedEngine = requireSignature(s.config.sidecarKeys, ['booking-engine'], () => Math.floor(s.now_ms() / 1000));
  const perKeyLimit = rateLimit({
    windowMs: 60_000,
    limit: s.config.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => req.sidecarKey?.keyId ?? 'anonymous',
    handler: (_req, res) => sendProblem(res, problemOf('rate_limited', 'too many requests for this key; retry after the window'), { 'Retry-After': '60' }),
  });
  const webhookLimit = rateLimit({
    windowMs: 60_000, limit: s.config.rateLimitPerMinute, standardHeaders: 'draft-8', legacyHeaders: false,
    keyGenerator: () => 'stripe',
    handler: (_req, res) => sendProblem(res, problemOf('rate_limited', 'too many webhook deliveries; retry later'), { 'Retry-After': '60' }),
  });

  app.use(ingestRoutes(s, { signedEngine, perKeyLimit, webhookLimit }));
  app.use(readRoutes(s, { signedAny, perKeyLimit }));
  app.use(reconciliationRoutes(s, { signedAny, perKeyLimit }));
  app.use(guestBookingsRoutes(s, { signedAny, perKeyLimit }));
  app.use(whoamiRoutes(s, { signedAny, perKeyLimit }));

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

export function requireQuery(req: Request, name: string): string {
  const v = req.query[name];
  if (typeof v !== 'string' || v === '') throw new DomainError('validation_failed', `query parameter ${name} is required`, { field: name });
  return v;
}
