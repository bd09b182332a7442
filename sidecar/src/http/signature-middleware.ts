import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../kernel/index.js';
import type { KeyRole, SidecarKey } from '../config.js';
import { parseSignatureHeader, SIGNATURE_TOLERANCE_S, signatureMatches } from '../sari/request-signature.js';

declare module 'express-serve-static-core' {
  interface Request {
    rawBody?: Buffer;
    sidecarKey?: SidecarKey;
  }
}

/**
 * Verifies MyBnB-Signature over the raw body and the request line, then checks the key's role.
 * `now_s` is the wall clock: the one place it is read is here, at the boundary, for freshness.
 */
export function requireSignature(keys: SidecarKey[], roles: KeyRole[], now_s: () => number = () => Math.floor(Date.now() / 1000)) {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.get('MyBnB-Signature');
    if (!header) throw new DomainError('signature_missing', 'MyBnB-Signature header is missing');
    const parsed = parseSignatureHeader(header);
    if (!parsed) throw new DomainError('signature_invalid', 'MyBnB-Signature header is malformed: keyId=<id>,t=<unix seconds>,v1=<hex>');
    const key = byId.get(parsed.keyId);
    if (!key) throw new DomainError('unknown_key', `unknown key id`);
    const now = now_s();
    if (parsed.t > now + SIGNATURE_TOLERANCE_S) throw new DomainError('signature_from_future', 'signature timestamp is in the future');
    if (parsed.t < now - SIGNATURE_TOLERANCE_S) throw new DomainError('signature_expired', 'signature timestamp is outside the 300 s tolerance');
    if (!signatureMatches(key.secret, parsed, req.method, req.originalUrl, req.rawBody ?? Buffer.alloc(0))) {
      throw new DomainError('signature_invalid', 'signature does not match this request');
    }
    if (!roles.includes(key.role)) throw new DomainError('forbidden_role', `a ${key.role} key cannot do this`);
    req.sidecarKey = key;
    next();
  };
}
