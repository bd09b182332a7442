import { createHmac, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../kernel/index.js';

/**
 * Endpoint secrets are never stored. The database user may only INSERT and SELECT, so a stored
 * secret could never be erased and anyone who can read the database could sign as us. Instead a
 * secret is derived from OUTBOUND_SECRETS_KEY (environment, never in the database) and a random
 * salt stored with the endpoint's version: a database dump alone yields no secret, and rotating
 * an endpoint is a new version with a new salt. The fingerprint lets an operator tell secrets apart.
 */
export const MIN_SECRETS_KEY_LENGTH = 32;

export function newSalt(): string {
  return randomBytes(24).toString('hex');
}

export function deriveSecret(secretsKey: string, salt: string): string {
  const raw = createHmac('sha256', secretsKey).update(`mybnb-outbound-endpoint-secret\n${salt}`).digest();
  return `whsec_${raw.toString('base64')}`;
}

export function fingerprintOf(secret: string): string {
  return sha256Hex(secret).slice(0, 16);
}
