#!/usr/bin/env node
// CI (issue #10): fails if any tracked file reaches outside the repository for a `shared` folder —
// a relative path (one or more `..` segments, then `shared`) that, resolved from the file's own
// folder, lands outside the repository root, or such a path built by joining `..` and `shared`
// as separate arguments. Relative paths that stay inside (the blocks' own imports of
// blocks/src/shared/) are fine. The fresh clone that .ci/run tests in proves the rest: nothing
// there has a shared folder beside it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const RELATIVE = /(?<![\w.])((?:\.\.\/)+)shared\b/g;
const JOINED = /['"]\.\.['"]\s*,\s*(?:['"]\.\.['"]\s*,\s*)*['"]shared['"]/g;

const problems = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(resolve(root, file), 'utf8');
  } catch {
    continue; // a submodule or a file deleted in the working tree
  }
  if (text.includes('\0')) continue; // binary
  const lineOf = (index) => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(RELATIVE)) {
    const target = resolve(root, dirname(file), `${m[1]}shared`);
    const rel = relative(root, target);
    if (rel === '..' || rel.startsWith(`..${sep}`)) problems.push(`${file}:${lineOf(m.index)}: ${m[0]} resolves to ${target}, outside the repository`);
  }
  for (const m of text.matchAll(JOINED)) problems.push(`${file}:${lineOf(m.index)}: ${m[0]} builds a path to a shared folder outside`);
}

if (problems.length) {
  console.error(`tracked files reach outside the repository (issue #10: the clone must stand alone):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`stands alone: ${files.length} tracked files, no reference to a shared folder outside the repository`);
