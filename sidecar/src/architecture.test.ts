import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

// The import rules of the design (docs/architecture.md): a wrong arrow fails the build.
const SRC = new URL('.', import.meta.url).pathname;

type Rule = { mayImportModules: string[]; bannedPackages: RegExp[]; bannedCode?: Array<[RegExp, string]> };
const RULES: Record<string, Rule> = {
  kernel: { mayImportModules: ['kernel'], bannedPackages: [/^knex$/, /^express/, /^stripe$/, /^mysql2/, /^better-sqlite3$/] },
  nora: {
    mayImportModules: ['kernel', 'nora'],
    bannedPackages: [/^knex$/, /^express/, /^stripe$/, /^mysql2/, /^better-sqlite3$/, /^(node:)?fs/, /^(node:)?http/, /^(node:)?net$/, /^undici$/],
    bannedCode: [[/Date\.now\(/, 'Date.now()'], [/new Date\(\s*\)/, 'new Date()'], [/Math\.random\(/, 'Math.random()'], [/process\.env/, 'process.env']],
  },
  sari: { mayImportModules: ['kernel', 'db', 'sari'], bannedPackages: [/^express/] },
  flows: { mayImportModules: ['kernel', 'db', 'flows'], bannedPackages: [/^express/] },
  pipeline: { mayImportModules: ['kernel', 'db', 'sari', 'nora', 'flows', 'pipeline'], bannedPackages: [/^express/] },
  http: { mayImportModules: ['kernel', 'db', 'sari', 'flows', 'pipeline', 'http', 'config'], bannedPackages: [] },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('test-helper') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

test('each module imports only what the design allows', () => {
  const violations: string[] = [];
  for (const [module, rule] of Object.entries(RULES)) {
    for (const file of files(join(SRC, module))) {
      const rel = relative(SRC, file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          const target = relative(SRC, resolve(dirname(file), spec));
          const targetModule = target.startsWith('..') ? `outside:${target}` : target.split('/')[0]!.replace(/\.(js|ts)$/, '');
          if (!rule.mayImportModules.includes(targetModule)) violations.push(`${rel} imports ${targetModule} (${spec})`);
        } else if (rule.bannedPackages.some((re) => re.test(spec))) {
          violations.push(`${rel} imports package ${spec}`);
        }
      }
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
      for (const [re, what] of rule.bannedCode ?? []) if (re.test(code)) violations.push(`${rel} uses ${what}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the rules can fail: a forbidden arrow is detected', () => {
  const fake = `import { postEntry } from '../flows/ledger/index.js';\nimport knex from 'knex';`;
  const specs = [...fake.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
  assert.deepEqual(specs, ['../flows/ledger/index.js', 'knex']);
  assert.ok(RULES.nora!.bannedPackages.some((re) => re.test('knex')));
  assert.ok(!RULES.nora!.mayImportModules.includes('flows'));
});
