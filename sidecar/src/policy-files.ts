// Reads policies/ from disk, for the lock file, its test and the CLI. The engine never touches the file system.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { policyVersionOf, type PolicyLock, type PolicyVersion } from './nora/index.js';
import { REPO_ROOT } from './repo-root.js';

export const POLICIES_DIR = join(REPO_ROOT, 'policies');
export const LOCK_PATH = join(POLICIES_DIR, 'policies.lock.json');

/**
 * Every version file under policies/ (path relative to policies/, with '/' separators), versions
 * of one policy in number order (v2 before v10): the order they are published in.
 */
export function readPolicyFiles(dir = POLICIES_DIR): Array<{ path: string; json: unknown }> {
  const out: Array<{ path: string; json: unknown }> = [];
  const byVersion = (a: string, b: string) => versionOf(a) - versionOf(b) || (a < b ? -1 : a > b ? 1 : 0);
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort(byVersion)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/^v\d+\.json$/.test(name)) out.push({ path: relative(dir, full).split(sep).join('/'), json: JSON.parse(readFileSync(full, 'utf8')) });
    }
  };
  walk(dir);
  return out;
}

function versionOf(name: string): number {
  const m = /^v(\d+)\.json$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** Every policy version under `dir`, validated, in publication order. */
export function readPolicyDir(dir: string): PolicyVersion[] {
  return readPolicyFiles(dir).map((f) => policyVersionOf(f.json));
}

export function readLock(): PolicyLock {
  return JSON.parse(readFileSync(LOCK_PATH, 'utf8')) as PolicyLock;
}

export function loadPolicy(kind: string, id: string, version = 1): PolicyVersion {
  return policyVersionOf(JSON.parse(readFileSync(join(POLICIES_DIR, kind, id, `v${version}.json`), 'utf8')));
}

/** The four versions a cancellation decision reads, with the given guest cancellation policy. */
export function cancellationPolicies(id: string): { cancellation: PolicyVersion; host_cancellation: PolicyVersion; fees: PolicyVersion; loyalty: PolicyVersion } {
  return {
    cancellation: loadPolicy('cancellation', id),
    host_cancellation: loadPolicy('host_cancellation', 'standard'),
    fees: loadPolicy('fees', 'standard'),
    loyalty: loadPolicy('loyalty', 'standard'),
  };
}

export const SHIPPED_CANCELLATION_IDS = ['flexible', 'moderate', 'limited', 'firm', 'strict', 'non_refundable'] as const;
