/**
 * Signed requests to the sidecar from the e2e suite, with the sidecar's own signer (the PHP plugin
 * has its own; both must agree with docs/signing.md).
 */
import { signatureHeaderValue, SIGNATURE_HEADER } from '../../sidecar/src/sari/request-signature.js';

export type SidecarKey = { keyId: string; secret: string };

export type Answer = { status: number; contentType: string; text: string };

export async function signedRequest(baseUrl: string, key: SidecarKey, method: 'GET' | 'POST', pathWithQuery: string, body = ''): Promise<Answer> {
  const header = signatureHeaderValue({
    keyId: key.keyId,
    secret: key.secret,
    t: Math.floor(Date.now() / 1000),
    method,
    pathWithQuery,
    body,
  });
  const response = await fetch(baseUrl + pathWithQuery, {
    method,
    headers: {
      [SIGNATURE_HEADER]: header,
      accept: 'application/json, text/csv, application/problem+json',
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { body } : {}),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

export async function signedGetJson<T>(baseUrl: string, key: SidecarKey, pathWithQuery: string): Promise<T> {
  const answer = await signedRequest(baseUrl, key, 'GET', pathWithQuery);
  if (answer.status !== 200) throw new Error(`GET ${pathWithQuery} -> ${answer.status}: ${answer.text.slice(0, 300)}`);
  return JSON.parse(answer.text) as T;
}
