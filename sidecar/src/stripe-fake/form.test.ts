import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm } from './form.js';

test('nested keys become objects, indexed keys become arrays', () => {
  const body = 'amount=5000&metadata%5Bbooking_id%5D=bk_1&metadata%5Bpolicy%5D=moderate&expand%5B0%5D=charge&expand%5B1%5D=balance_transaction&transfer_data%5Bdestination%5D=acct_1';
  assert.deepEqual(parseForm(body), {
    amount: '5000',
    metadata: { booking_id: 'bk_1', policy: 'moderate' },
    expand: ['charge', 'balance_transaction'],
    transfer_data: { destination: 'acct_1' },
  });
});

test('empty brackets append, empty body is an empty object, values stay strings', () => {
  assert.deepEqual(parseForm('expand[]=a&expand[]=b'), { expand: ['a', 'b'] });
  assert.deepEqual(parseForm(''), {});
  assert.deepEqual(parseForm('confirm=true&amount=1'), { confirm: 'true', amount: '1' });
});

test('an object with non-consecutive numeric keys stays an object', () => {
  assert.deepEqual(parseForm('metadata[1]=x&metadata[3]=y'), { metadata: { '1': 'x', '3': 'y' } });
});
