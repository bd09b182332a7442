import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISO_4217_CODES, ISO_4217_MINOR_UNITS, isCurrencyCode, minorDigits, SAFE_ID_PATTERN } from './index.js';

test('every accepted currency is one ICU knows (VED: ISO since 2021, not yet in ICU), and ZZZ is none', () => {
  const icu = new Set(Intl.supportedValuesOf('currency'));
  for (const code of ISO_4217_CODES) assert.ok(icu.has(code) || code === 'VED', `${code} is a currency ICU knows`);
  assert.ok(ISO_4217_CODES.length >= 150);
  for (const bad of ['ZZZ', 'XXX', 'XTS', 'XAU', 'usd', 'US', 'USDD', 'HRK']) assert.equal(isCurrencyCode(bad), false, bad);
});

test('minor units are ISO 4217\'s: USD 2, JPY 0, KWD 3, HUF 2, IDR 2; an unknown code has none', () => {
  assert.deepEqual(['USD', 'JPY', 'KWD', 'HUF', 'IDR', 'CLP', 'TND', 'XOF'].map(minorDigits), [2, 0, 3, 2, 2, 0, 3, 0]);
  assert.throws(() => minorDigits('ZZZ'), /not an ISO 4217/);
  for (const [code, digits] of Object.entries(ISO_4217_MINOR_UNITS)) assert.ok([0, 2, 3].includes(digits), code);
});

test('safe ids: letters, digits, _ . : - up to 120; CR, LF, quotes, commas, spaces and slashes are not', () => {
  for (const ok of ['bk_1001', 'host.a:b-c', 'x'.repeat(120)]) assert.ok(SAFE_ID_PATTERN.test(ok), ok);
  for (const bad of ['', 'a\r\nb', 'a"b', "a'b", 'a,b', 'a b', 'a/b', 'x'.repeat(121), 'bk_1\n']) assert.ok(!SAFE_ID_PATTERN.test(bad), JSON.stringify(bad));
});
