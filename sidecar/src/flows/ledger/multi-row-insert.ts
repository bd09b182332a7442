import type { Db } from '../../db/connect.js';
import { insertVerb, quoteIdent } from '../../db/dialect.js';
import { executeWrite } from '../../db/prepared-write.js';

/**
 * Bound parameters per statement. SQLite (3.32+) takes 32,766, MySQL 65,535; staying well under
 * both keeps one statement per table for any batch of a few hundred entries.
 */
export const MAX_PARAMS_PER_STATEMENT = 10_000;

/**
 * `INSERT INTO t (…) VALUES (…), (…), …`, chunked under the parameter limit. knex 3 writes a
 * multi-row insert on SQLite as `SELECT … UNION ALL SELECT …`, which SQLite plans as a compound
 * query and which measured slower than one INSERT per row; the VALUES list is the plain form on
 * both dialects. `ignoreDuplicates` skips rows whose unique key is taken (first write wins).
 * Returns the number of statements run.
 */
export async function insertRows(db: Db, table: string, columns: string[], rows: unknown[][], opts: { ignoreDuplicates?: boolean } = {}): Promise<number> {
  if (rows.length === 0) return 0;
  const q = (n: string) => quoteIdent(db, n);
  const head = `${insertVerb(db, opts.ignoreDuplicates)} ${q(table)} (${columns.map(q).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length));
  let statements = 0;
  for (let from = 0; from < rows.length; from += perStatement) {
    const chunk = rows.slice(from, from + perStatement);
    const bindings: unknown[] = [];
    for (const r of chunk) {
      if (r.length !== columns.length) throw new Error(`insertRows(${table}): a row has ${r.length} values for ${columns.length} columns`);
      for (const v of r) bindings.push(v);
    }
    // Bound, not spliced (a prepared statement on MySQL: db/prepared-write.ts).
    await executeWrite(db, head + new Array(chunk.length).fill(tuple).join(', '), bindings);
    statements++;
  }
  return statements;
}

/** How many statements insertRows would use for `count` rows of `columns` columns. */
export function statementsFor(count: number, columns: number): number {
  return Math.ceil(count / Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / columns)));
}
