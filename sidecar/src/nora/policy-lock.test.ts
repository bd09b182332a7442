import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLock, policyVersionOf, verifyLock, POLICY_KINDS } from './index.js';
import { readLock, readPolicyFiles } from '../policy-files.js';

const files = readPolicyFiles();
const lock = readLock();

test('every published policy version matches its locked hash, and every file is in the lock', () => {
  assert.deepEqual(verifyLock(files, lock), []);
});

test('the lock is exactly what computeLock writes (sorted, nothing extra)', () => {
  assert.deepEqual(computeLock(files), lock);
});

test('the shipped set: six guest cancellation policies and one of every other kind', () => {
  const keys = Object.keys(lock.versions);
  for (const id of ['flexible', 'moderate', 'limited', 'firm', 'strict', 'non_refundable']) assert.ok(keys.includes(`cancellation/${id}/v1.json`), id);
  for (const kind of POLICY_KINDS.filter((k) => k !== 'cancellation')) assert.ok(keys.includes(`${kind}/standard/v1.json`), kind);
});

test('a changed file, a file missing from the lock and a vanished file are all reported', () => {
  const first = files[0]!;
  const changed = JSON.parse(JSON.stringify(first.json)) as { title: string };
  changed.title += ' (edited)';
  const problems = verifyLock([{ path: first.path, json: changed }, ...files.slice(1)], lock);
  assert.deepEqual(problems.map((p) => p.problem), ['changed']);

  const extra = JSON.parse(JSON.stringify(first.json)) as { version: number };
  extra.version = 99;
  const withExtra = verifyLock([...files, { path: first.path.replace('/v1.json', '/v99.json'), json: extra }], lock);
  assert.deepEqual(withExtra.map((p) => p.problem), ['not_in_lock']);

  const missing = verifyLock(files.slice(1), lock);
  assert.deepEqual(missing, [{ problem: 'file_missing', path: first.path }]);
});

test('a file at a path that does not match its kind/id/version is rejected', () => {
  const first = files[0]!;
  assert.throws(() => computeLock([{ path: 'cancellation/elsewhere/v1.json', json: first.json }]), /declares/);
});

test('an unknown key in a policy file is rejected (strict schema keeps hashes honest)', () => {
  const doc = { ...(files[0]!.json as object), extra: 1 };
  assert.throws(() => policyVersionOf(doc), (e: unknown) => (e as { code?: string }).code === 'validation_failed');
});
