#!/usr/bin/env node
// `npm test`: type-check, then every *.test.ts with node's test runner, on SQLite and MariaDB.
// In CI (CI=true) a MariaDB that cannot be reached is a failure; locally its suites are skipped, loudly.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

const ROOTS = ['sidecar', 'migrations', 'e2e', 'bench', 'examples'];
const SKIP_DIRS = new Set(['node_modules', 'artifacts', '.work']);

function findTests(dir, out = []) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names.sort()) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

async function mysqlReachable() {
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test', connectTimeout: 3000 });
    await c.query('SELECT 1');
    await c.end();
    return true;
  } catch (e) {
    return e.message;
  }
}

const filter = process.argv.slice(2);
const files = ROOTS.flatMap((r) => findTests(r)).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
const mysqlState = await mysqlReachable();
const env = { ...process.env };
if (mysqlState !== true) {
  if (process.env.CI === 'true' || process.env.MYBNB_REQUIRE_MYSQL === '1') {
    console.error(`MariaDB/MySQL at 127.0.0.1:3306 is required here (CI) and is not reachable: ${mysqlState}`);
    process.exit(1);
  }
  env.MYBNB_TEST_MYSQL = '0';
  console.error(`\n*** MySQL suites SKIPPED: MariaDB at 127.0.0.1:3306 not reachable (${mysqlState}). Only SQLite runs. ***\n`);
}

if (filter.length === 0) {
  const tsc = spawnSync('npx', ['tsc', '-p', '.'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('type-check failed');
    process.exit(tsc.status ?? 1);
  }
}

const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...files], { stdio: 'inherit', env });
if (mysqlState !== true) console.error('\n*** Reminder: the MySQL suites were SKIPPED (no MariaDB at 127.0.0.1:3306). ***');
process.exit(run.status ?? 1);
