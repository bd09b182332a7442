import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICIES_DIR, readPolicyDir } from './policy-files.js';

test('versions of a policy are read in number order (v2 before v10): the order they are published in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mybnb-policy-order-'));
  try {
    cpSync(join(POLICIES_DIR, 'cancellation', 'flexible'), join(dir, 'cancellation', 'flexible'), { recursive: true });
    const v1 = JSON.parse(readFileSync(join(dir, 'cancellation/flexible/v1.json'), 'utf8'));
    for (const n of [2, 10]) writeFileSync(join(dir, `cancellation/flexible/v${n}.json`), JSON.stringify({ ...v1, version: n }));
    assert.deepEqual(readPolicyDir(dir).map((v) => v.version), [1, 2, 10]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
