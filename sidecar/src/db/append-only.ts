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

/**
 * A trigger that refuses a new row at or below the newest verified checkpoint's seq (`column` is
 * the row's entry seq). What a passing verify saw then cannot grow under it: rows can no more be
 * removed (makeAppendOnly) nor added below it, which is what lets a routine verify check only the
 * rows after it (docs/ledger.md, "Routine verify"). Posting never writes there: an entry's lines,
 * balance checkpoints and host index rows commit with it, before any verify can see it.
 */
export async function guardBelowVerified(knex: Knex, table: string, column: string): Promise<void> {
  const client = (knex.client as { config: { client: string } }).config.client;
  const msg = `append-only: no ${table} row can be added at or below a verified checkpoint`;
  const name = `${table}_guard_verified`;
  const newest = 'SELECT COALESCE(MAX(seq), 0) FROM verified_checkpoints';
  if (client === 'mysql2') {
    await knex.raw(`DROP TRIGGER IF EXISTS \`${name}\``);
    await knex.raw(`CREATE TRIGGER \`${name}\` BEFORE INSERT ON \`${table}\` FOR EACH ROW BEGIN IF NEW.\`${column}\` <= (${newest}) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${msg}'; END IF; END`);
    return;
  }
  await knex.raw(`DROP TRIGGER IF EXISTS "${name}"`);
  await knex.raw(`CREATE TRIGGER "${name}" BEFORE INSERT ON "${table}" WHEN NEW."${column}" <= (${newest}) BEGIN SELECT RAISE(ABORT, '${msg}'); END`);
}
