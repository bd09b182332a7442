#!/usr/bin/env node
// `npm start`: runs the compiled sidecar (dist/). On a fresh clone, or when a source file is newer
// than the build, it builds first (`npm run build`: tsc); where TypeScript is not installed (a
// production install without dev dependencies) an existing dist/ is run as it is. Development
// with live TypeScript: `npm run dev` (tsx).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/sidecar/src/main.js');

function newestSource(dir, newest = 0) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = newestSource(p, newest);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const stale = built === 0 || newestSource(join(root, 'sidecar/src')) > built || newestSource(join(root, 'migrations')) > built;
const tsc = join(root, 'node_modules/typescript/bin/tsc');
if (stale && existsSync(tsc)) {
  process.stderr.write(built === 0 ? 'building the sidecar (first start)…\n' : 'sources changed since the last build: rebuilding…\n');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
} else if (built === 0) {
  process.stderr.write('dist/ is missing and TypeScript is not installed: run `npm install` then `npm run build`\n');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
