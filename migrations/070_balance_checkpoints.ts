import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Balance checkpoints (issue #11, item 4): an account's running totals at an entry seq, written by
// postEntries in the same transaction as the entry that crosses each multiple of
// BALANCE_CHECKPOINT_EVERY_LINES of the account's lines. A balance is the newest checkpoint plus
// the lines after it. Part of the ledger: append-only, recomputed from the lines by `verify`.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('balance_checkpoints', (t) => {
    t.string('account_code', 191).notNullable();
    t.bigInteger('seq').notNullable(); // covers every line of the account with entry_seq <= seq
    t.bigInteger('line_count').notNullable(); // the account's lines up to seq
    t.bigInteger('debits_minor').notNullable();
    t.bigInteger('credits_minor').notNullable();
    t.primary(['account_code', 'seq']);
    t.index(['seq']); // verify reads them page by page in seq order
  });
  await makeAppendOnly(knex, 'balance_checkpoints');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
