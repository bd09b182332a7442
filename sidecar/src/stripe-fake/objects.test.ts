import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processingFee } from './objects.js';
import { FakeClock, IdSequence } from './ids.js';

test('processing fee is 2.9 % half-up plus 0.30 of the major unit', () => {
  assert.equal(processingFee(10000, 'usd'), 320); // the fixture charge's fee
  assert.equal(processingFee(1000, 'eur'), 59);
  assert.equal(processingFee(1017, 'usd'), 59); // 29.493 -> 29
  assert.equal(processingFee(1018, 'usd'), 60); // 29.522 -> 30
  assert.equal(processingFee(10000, 'jpy'), 290); // no minor unit: the fixed part rounds to 0
  assert.equal(processingFee(10, 'usd'), 10); // never more than the amount
});

test('ids count per prefix and are padded; the clock starts where it was set', () => {
  const ids = new IdSequence('demo');
  assert.equal(ids.next('re'), 're_demo_000001');
  assert.equal(ids.next('tr'), 'tr_demo_000001');
  assert.equal(ids.next('re'), 're_demo_000002');
  const clock = new FakeClock();
  clock.setNow(1_800_000_000);
  assert.equal(clock.tick(), 1_800_000_000);
  assert.equal(clock.tick(), 1_800_000_001);
  assert.equal(clock.now(), 1_800_000_002);
});
