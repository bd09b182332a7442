import { DomainError, hashOf, type Sha256Hash } from '../kernel/index.js';
import { PolicyDocumentSchema, type DocumentOfKind, type PolicyDocument, type PolicyKind } from './schema.js';

/** One published, immutable version of a policy, with the hash of its canonical JSON. */
export type PolicyVersion<D extends PolicyDocument = PolicyDocument> = {
  kind: string;
  id: string;
  version: number;
  hash: Sha256Hash;
  document: D;
};

/** How a decision names the rule it applied: policy = '<kind>/<id>'. */
export type RuleRef = { policy: string; version: number; hash: string };

/** Validates a policy file's parsed JSON. Throws DomainError('validation_failed') listing the issues. */
export function parsePolicyDocument(json: unknown): PolicyDocument {
  const result = PolicyDocumentSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DomainError('validation_failed', 'invalid policy document', { issues });
  }
  return result.data;
}

/** A PolicyVersion from a policy file's parsed JSON; the hash is hashOf(parsed document). */
export function policyVersionOf(json: unknown): PolicyVersion {
  const document = parsePolicyDocument(json);
  return { kind: document.kind, id: document.id, version: document.version, hash: hashOf(document), document };
}

export function ruleRefOf(p: PolicyVersion): RuleRef {
  return { policy: `${p.kind}/${p.id}`, version: p.version, hash: p.hash };
}

/** Narrows a PolicyVersion to a kind, or throws: passing a fees policy where a loyalty one belongs is a bug. */
export function expectKind<K extends PolicyKind>(p: PolicyVersion, kind: K): DocumentOfKind<K> {
  if (p.document.kind !== kind) {
    throw new DomainError('unknown_policy', `expected a ${kind} policy, got ${p.document.kind}/${p.document.id}`, { expected: kind, got: `${p.kind}/${p.id}` });
  }
  return p.document as DocumentOfKind<K>;
}

/** Where a version's file lives, relative to policies/. */
export function policyPath(kind: string, id: string, version: number): string {
  return `${kind}/${id}/v${version}.json`;
}

export type PolicyLock = { format: 1; versions: Record<string, Sha256Hash> };

/**
 * The lock file's content for a set of policy files (`path` relative to policies/). Each file must
 * validate and sit at the path its own kind/id/version name; keys are sorted so the output is stable.
 */
export function computeLock(files: Array<{ path: string; json: unknown }>): PolicyLock {
  const entries: Array<[string, Sha256Hash]> = [];
  for (const f of files) {
    const v = policyVersionOf(f.json);
    const expected = policyPath(v.kind, v.id, v.version);
    if (f.path !== expected) {
      throw new DomainError('validation_failed', `policy file ${f.path} declares ${expected}`, { path: f.path, expected });
    }
    entries.push([expected, v.hash]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const versions: Record<string, Sha256Hash> = {};
  for (const [k, h] of entries) {
    if (k in versions) throw new DomainError('validation_failed', `duplicate policy version ${k}`, { path: k });
    versions[k] = h;
  }
  return { format: 1, versions };
}

export type LockProblem =
  | { problem: 'changed'; path: string; locked: string; actual: string }
  | { problem: 'not_in_lock'; path: string }
  | { problem: 'file_missing'; path: string };

/** Differences between the files as they are and the lock: a published version may never change or vanish. */
export function verifyLock(files: Array<{ path: string; json: unknown }>, lock: PolicyLock): LockProblem[] {
  const actual = computeLock(files).versions;
  const problems: LockProblem[] = [];
  for (const [path, hash] of Object.entries(actual)) {
    const locked = lock.versions[path];
    if (locked === undefined) problems.push({ problem: 'not_in_lock', path });
    else if (locked !== hash) problems.push({ problem: 'changed', path, locked, actual: hash });
  }
  for (const path of Object.keys(lock.versions)) {
    if (!(path in actual)) problems.push({ problem: 'file_missing', path });
  }
  return problems;
}
