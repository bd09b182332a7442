import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSignatureHeader, signatureHeaderValue, signatureMatches } from './request-signature.js';

const doc = readFileSync(new URL('../../../docs/signing.md', import.meta.url), 'utf8');
const SECRET = 'sk_sidecar_example_0123456789abcdef';
const BODY = '{"id":"bev_0001","type":"stay.checked_in","occurred_at":"2026-09-05T15:30:00Z","data":{"booking_id":"bk_1001"}}';

test('the worked examples in docs/signing.md are what the code computes', () => {
  const post = signatureHeaderValue({ keyId: 'be-2026-09', secret: SECRET, t: 1788000000, method: 'POST', pathWithQuery: '/events/booking', body: BODY });
  const get = signatureHeaderValue({ keyId: 'wp-reader-1', secret: SECRET, t: 1788000000, method: 'GET', pathWithQuery: '/preview/outcome?action=cancel&booking_id=bk_1001&by=guest' });
  assert.ok(doc.includes(BODY));
  assert.ok(doc.includes(`MyBnB-Signature: ${post}`), post);
  assert.ok(doc.includes(`MyBnB-Signature: ${get}`), get);
});

test('a header parses and matches only with the right secret, method, path and body', () => {
  const header = signatureHeaderValue({ keyId: 'k1', secret: SECRET, t: 1788000000, method: 'POST', pathWithQuery: '/events/booking', body: BODY });
  const parsed = parseSignatureHeader(header)!;
  assert.deepEqual([parsed.keyId, parsed.t], ['k1', 1788000000]);
  assert.equal(signatureMatches(SECRET, parsed, 'POST', '/events/booking', BODY), true);
  assert.equal(signatureMatches(`${SECRET}x`, parsed, 'POST', '/events/booking', BODY), false);
  assert.equal(signatureMatches(SECRET, parsed, 'PUT', '/events/booking', BODY), false);
  assert.equal(signatureMatches(SECRET, parsed, 'POST', '/events/booking?x=1', BODY), false);
  assert.equal(signatureMatches(SECRET, parsed, 'POST', '/events/booking', BODY.slice(0, -1)), false);
});

test('several v1 values: any match passes; malformed headers are refused', () => {
  const good = signatureHeaderValue({ keyId: 'k1', secret: SECRET, t: 5, method: 'GET', pathWithQuery: '/x' });
  const parsed = parseSignatureHeader(`keyId=k1,t=5,v1=${'0'.repeat(64)},${good.split(',')[2]}`)!;
  assert.equal(parsed.v1.length, 2);
  assert.equal(signatureMatches(SECRET, parsed, 'GET', '/x', ''), true);
  for (const bad of ['', 'keyId=k1', 'keyId=k1,t=abc,v1=00', 't=5,v1=00', 'garbage']) assert.equal(parseSignatureHeader(bad), null, bad);
});
