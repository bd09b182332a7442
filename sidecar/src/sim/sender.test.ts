import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTransportFailure, resent } from './sender.js';

const reset = () => new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });

test('a reset socket is sent again; the answer of the copy is returned', async () => {
  let calls = 0;
  const r = await resent(async () => {
    calls++;
    if (calls < 3) throw reset();
    return 'answered';
  });
  assert.equal(r, 'answered');
  assert.equal(calls, 3);
});

test('anything else is not retried, and a socket that keeps failing fails after five tries', async () => {
  let calls = 0;
  await assert.rejects(resent(async () => { calls++; throw new Error('boom'); }), /boom/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(resent(async () => { calls++; throw reset(); }), /fetch failed/);
  assert.equal(calls, 5);
  assert.equal(isTransportFailure(new TypeError('fetch failed')), false);
});
