import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const POLICY_DIR = process.env.POLICY_DIR || './policies';
export const LOCK_FILE = join(POLICY_DIR, 'policies.lock.json');

/** Every version file under the policy folder, as { path relative to it, parsed JSON }. */
export function readPolicyFiles(dir = POLICY_DIR): Array<{ path: string; json: unknown }> {
  const out: Array<{ path: string; json: unknown }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^v\d+\.json$/.test(name)) out.push({ path: relative(dir, p), json: JSON.parse(readFileSync(p, 'utf8')) });
    }
  };
  walk(dir);
  return out;
}
