import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../kernel/index.js';

export const SIGNATURE_HEADER = 'MyBnB-Signature';
export const SIGNATURE_TOLERANCE_S = 300;

/** The string the HMAC covers: t.METHOD.path-with-query.sha256hex(body). */
export function signedPayload(t: number, method: string, pathWithQuery: string, body: string | Uint8Array): string {
  return `${t}.${method.toUpperCase()}.${pathWithQuery}.${sha256Hex(body)}`;
}

export function signatureHeaderValue(input: { keyId: string; secret: string; t: number; method: string; pathWithQuery: string; body?: string | Uint8Array }): string {
  const v1 = createHmac('sha256', input.secret).update(signedPayload(input.t, input.method, input.pathWithQuery, input.body ?? '')).digest('hex');
  return `keyId=${input.keyId},t=${input.t},v1=${v1}`;
}

export type ParsedSignature = { keyId: string; t: number; v1: string[] };

export function parseSignatureHeader(value: string | undefined): ParsedSignature | null {
  if (!value) return null;
  let keyId: string | undefined;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) return null;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 'keyId') keyId = v;
    else if (k === 't') t = /^\d{1,12}$/.test(v) ? Number(v) : NaN;
    else if (k === 'v1') v1.push(v);
  }
  if (!keyId || t === undefined || Number.isNaN(t) || v1.length === 0) return null;
  return { keyId, t, v1 };
}

/** Constant-time comparison of the expected HMAC with each offered v1 value. */
export function signatureMatches(secret: string, parsed: ParsedSignature, method: string, pathWithQuery: string, body: string | Uint8Array): boolean {
  const expected = createHmac('sha256', secret).update(signedPayload(parsed.t, method, pathWithQuery, body)).digest();
  let ok = false;
  for (const candidate of parsed.v1) {
    if (!/^[0-9a-f]{64}$/.test(candidate)) continue;
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) ok = true;
  }
  return ok;
}
