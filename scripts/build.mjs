#!/usr/bin/env node
// `npm run build`: a clean dist/ compiled by tsc from tsconfig.build.json.
import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);
// The entry's time is the build's time (npm start compares it with the sources).
const now = new Date();
utimesSync(join(root, 'dist/sidecar/src/main.js'), now, now);
process.stderr.write('built dist/\n');
