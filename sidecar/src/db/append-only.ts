import type { Knex } from 'knex';

/**
 * Database triggers that refuse UPDATE and DELETE on a table, on both dialects. They bind every
 * user, MySQL root included: a row once written can only be answered by a new row.
 */
export async function makeAppendOnly(knex: Knex, table: string): Promise<void> {
  const client = (knex.client as { config: { client: string } }).config.client;
  const msg = `append-only: ${table} rows cannot be changed or removed`;
  if (client === 'mysql2') {
    for (const op of ['UPDATE', 'DELETE']) {
      const name = `${table}_no_${op.toLowerCase()}`;
      await knex.raw(`DROP TRIGGER IF EXISTS \`${name}\``);
      await knex.raw(`CREATE TRIGGER \`${name}\` BEFORE ${op} ON \`${table}\` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${msg}'`);
    }
    return;
  }
  for (const op of ['UPDATE', 'DELETE']) {
    const name = `${table}_no_${op.toLowerCase()}`;
    await knex.raw(`DROP TRIGGER IF EXISTS "${name}"`);
    await knex.raw(`CREATE TRIGGER "${name}" BEFORE ${op} ON "${table}" BEGIN SELECT RAISE(ABORT, '${msg}'); END`);
  }
}

export function isAppendOnlyViolation(e: unknown): boolean {
  const m = String((e as { message?: string })?.message ?? '');
  return m.includes('append-only');
}
