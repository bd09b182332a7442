import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { problemOf, sendProblem } from './problem.js';

/**
 * The buckets (issue #13). Authenticated traffic is counted only after its signature verified,
 * per key (each MyBnB key) and per source (Stripe's deliveries), so nobody can spend a real
 * sender's budget without its secret. Requests that fail authentication spend a separate, generous
 * bucket per client address: unsigned floods are slowed without delaying Stripe or the engine.
 */
export const NOISE_FACTOR = 10;

export type RateLimits = { perKey: RequestHandler; stripe: RequestHandler; noise: RequestHandler };

export function rateLimits(perMinute: number): RateLimits {
  const common = { windowMs: 60_000, standardHeaders: 'draft-8' as const, legacyHeaders: false };
  return {
    perKey: rateLimit({
      ...common, limit: perMinute,
      keyGenerator: (req: Request) => `key:${req.sidecarKey?.keyId ?? '?'}`,
      handler: (_req, res) => sendProblem(res, problemOf('rate_limited', 'too many requests for this key; retry after the window'), { 'Retry-After': '60' }),
    }),
    stripe: rateLimit({
      ...common, limit: perMinute,
      keyGenerator: () => 'source:stripe',
      handler: (_req, res) => sendProblem(res, problemOf('rate_limited', 'too many webhook deliveries; retry later'), { 'Retry-After': '60' }),
    }),
    noise: rateLimit({
      ...common, limit: perMinute * NOISE_FACTOR,
      // IPv6 clients are grouped by /56 so rotating addresses within one allocation does not help.
      keyGenerator: (req: Request) => `noise:${ipKeyGenerator(req.socket.remoteAddress ?? '0.0.0.0')}`,
      handler: (_req, res) => sendProblem(res, problemOf('rate_limited', 'too many unauthenticated requests from this address; retry later'), { 'Retry-After': '60' }),
    }),
  };
}
