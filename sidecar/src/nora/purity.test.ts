import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// NORA decides from data alone: its engine files may import only the kernel and zod, and never read
// the clock, randomness or the environment. Test files and the test helper may use fs.
const dir = dirname(fileURLToPath(import.meta.url));
const engineFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.test-helper.ts'));

test('engine files import only ../kernel/index.js, zod and sibling modules', () => {
  assert.ok(engineFiles.length >= 10);
  for (const f of engineFiles) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/\bfrom\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      assert.ok(spec === '../kernel/index.js' || spec === 'zod' || /^\.\/[a-z-]+\.js$/.test(spec), `${f} imports ${spec}`);
    }
  }
});

test('engine files use no clock, randomness or environment', () => {
  for (const f of engineFiles) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const banned of [/Date\.now\s*\(/, /new Date\s*\(\s*\)/, /Math\.random/, /process\.env/, /performance\.now/, /\bknex\b|\bexpress\b|\bstripe\b|mysql2|better-sqlite3|node:fs|node:http/]) {
      assert.ok(!banned.test(src), `${f} matches ${banned}`);
    }
  }
});
