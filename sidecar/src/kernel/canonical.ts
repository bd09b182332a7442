import { createHash } from 'node:crypto';
import canonicalizeImport from 'canonicalize';

// RFC 8785 (JCS) canonical JSON: the one serialisation every hash in the system is taken over.
const canonicalize = canonicalizeImport as unknown as (value: unknown) => string | undefined;

export type Sha256Hash = `sha256:${string}`;

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256:<hex>` of the canonical JSON of `value`. */
export function hashOf(value: unknown): Sha256Hash {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
