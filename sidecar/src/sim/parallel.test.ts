import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitRange } from './parallel.js';

test('the seed range is split into contiguous parts covering every seed once', () => {
  for (const [first, count, jobs] of [[1, 5000, 4], [7, 10, 3], [1, 2, 4], [100, 1, 1], [1, 9, 9]] as const) {
    const parts = splitRange(first, count, jobs);
    assert.ok(parts.length <= jobs);
    const seeds = parts.flatMap((p) => Array.from({ length: p.count }, (_, i) => p.first + i));
    assert.deepEqual(seeds, Array.from({ length: count }, (_, i) => first + i));
    const sizes = parts.map((p) => p.count);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
  }
});
