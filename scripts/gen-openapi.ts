// Writes docs/openapi.json from the route registry (sidecar/src/http/openapi), the same document
// GET /openapi.json serves:
//   node --import tsx scripts/gen-openapi.ts           writes docs/openapi.json
//   node --import tsx scripts/gen-openapi.ts --check   exits 1 if the committed file differs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../sidecar/src/http/openapi/index.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OPENAPI_FILE, 'utf8');
    } catch {
      /* missing */
    }
    if (current !== openApiText()) {
      process.stderr.write('docs/openapi.json is out of date: run npm run openapi\n');
      process.exit(1);
    }
    process.stdout.write('docs/openapi.json is up to date\n');
  } else {
    writeFileSync(OPENAPI_FILE, openApiText());
    process.stdout.write('wrote docs/openapi.json\n');
  }
}
