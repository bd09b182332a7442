import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './connect.js';
import { arrayRowReader } from './dialect.js';

type Conn = { prepare: (sql: string) => unknown };

// SQLite only: the prepared-statement cache of db/connect.ts (issue 11, item 6).
test('the SQLite statement cache keeps the most recently used statements, bounded, and never shares a raw-mode statement with knex', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mybnb-stmt-'));
  const db = openDb({ dialect: 'sqlite', filename: join(dir, 'db.sqlite') }, { statement_cache: 3 });
  try {
    const conn = (await (db.client as { acquireConnection: () => Promise<Conn> }).acquireConnection()) as Conn;
    await (db.client as { releaseConnection: (c: Conn) => Promise<void> }).releaseConnection(conn);
    const a = conn.prepare('SELECT 1 AS a');
    assert.equal(conn.prepare('SELECT 1 AS a'), a, 'the same text is the same statement');
    const b = conn.prepare('SELECT 2 AS b');
    conn.prepare('SELECT 3 AS c');
    conn.prepare('SELECT 1 AS a'); // used again: now the most recent
    conn.prepare('SELECT 4 AS d'); // the cache is full: the least recently used (b) goes
    assert.equal(conn.prepare('SELECT 1 AS a'), a, 'a recently used statement stays');
    assert.notEqual(conn.prepare('SELECT 2 AS b'), b, 'the least recently used one was dropped and is prepared again');
    for (let i = 0; i < 50; i++) conn.prepare(`SELECT ${i} AS n`); // many texts (multi-row INSERTs vary): still bounded

    // A raw reader over the same text as a knex query: knex still gets objects, the reader arrays.
    await db.raw('CREATE TABLE t (x INTEGER)');
    await db.raw('INSERT INTO t (x) VALUES (7)');
    const read = arrayRowReader(db);
    assert.deepEqual(await read('SELECT x FROM t', []), [[7]]);
    assert.deepEqual(await db.raw('SELECT x FROM t'), [{ x: 7 }]);
    assert.deepEqual(await read('SELECT x FROM t', []), [[7]]);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('statement_cache 0 prepares every statement afresh (the baseline the bench compares with)', async () => {
  const db = openDb({ dialect: 'sqlite', filename: ':memory:' }, { statement_cache: 0 });
  try {
    const conn = (await (db.client as { acquireConnection: () => Promise<Conn> }).acquireConnection()) as Conn;
    await (db.client as { releaseConnection: (c: Conn) => Promise<void> }).releaseConnection(conn);
    assert.notEqual(conn.prepare('SELECT 1'), conn.prepare('SELECT 1'));
    assert.deepEqual(await db.raw('SELECT 1 AS one'), [{ one: 1 }]);
  } finally {
    await db.destroy();
  }
});
