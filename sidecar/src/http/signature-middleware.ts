import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../kernel/index.js';
import type { KeyRole, SidecarKey } from '../config.js';
import { parseSignatureHeader, SIGNATURE_TOLERANCE_S, signatureMatches } from '../sari/request-signature.js';

declare module 'express-serve-static-core' {
  interface Request {
    rawBody?: Buffer;
    sidecarKey?: SidecarKey;
    /** Why authentication failed, for the operator's debug log only; the client never sees it. */
    authFailure?: string;
  }
}

/** The one answer to every authentication failure: which part failed is not told (issue #13). */
export const AUTH_FAILED = 'the request is not authenticated: sign it as docs/signing.md describes';

// A fixed secret to compute an HMAC with when the key id is unknown, so that an unknown key id and
// a wrong signature cost the same work and get the same answer.
const DECOY_SECRET = 'decoy-secret-for-unknown-key-ids-0000000000';

/** Why a MyBnB-Signature does not authenticate this request, or the key it authenticates. */
export function authenticate(req: Request, byId: Map<string, SidecarKey>, now_s: number): SidecarKey | string {
  const parsed = parseSignatureHeader(req.get('MyBnB-Signature'));
  if (!parsed) return 'missing or malformed MyBnB-Signature header';
  const key = byId.get(parsed.keyId);
  const matches = signatureMatches(key?.secret ?? DECOY_SECRET, parsed, req.method, req.originalUrl, req.rawBody ?? Buffer.alloc(0));
  if (!key) return 'unknown key id';
  if (parsed.t > now_s + SIGNATURE_TOLERANCE_S) return 'timestamp in the future';
  if (parsed.t < now_s - SIGNATURE_TOLERANCE_S) return 'timestamp too old';
  if (!matches) return 'signature does not match';
  return key;
}

/**
 * Verifies MyBnB-Signature over the raw body and the request line, then checks the key's role.
 * Every failure is one `signature_invalid`; before it is sent, `onFailure` may count it against the
 * sender's bucket for unauthenticated noise (and answer 429 instead).
 * `now_s` is the wall clock: the one place it is read is here, at the boundary, for freshness.
 */
export function requireSignature(keys: SidecarKey[], roles: readonly KeyRole[], now_s: () => number = () => Math.floor(Date.now() / 1000), onFailure?: RequestHandler): RequestHandler {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = authenticate(req, byId, now_s());
    if (typeof result === 'string') {
      req.authFailure = result;
      const fail = () => next(new DomainError('signature_invalid', AUTH_FAILED));
      if (onFailure) void onFailure(req, res, fail);
      else fail();
      return;
    }
    if (!roles.includes(result.role)) return next(new DomainError('forbidden_role', `a ${result.role} key cannot do this`));
    req.sidecarKey = result;
    next();
  };
}
