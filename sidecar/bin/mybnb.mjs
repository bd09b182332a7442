#!/usr/bin/env node
// The CLI as an installed command: the compiled CLI when dist/ is built (`npm run build`), else the
// TypeScript source through the tsx loader (development).
import { existsSync } from 'node:fs';

const compiled = new URL('../../dist/sidecar/src/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
