import type { Knex } from 'knex';
import { makeAppendOnly } from '../sidecar/src/db/append-only.js';

// Verified checkpoints (issue #11, item 5): what a passing `verify` saw at a seq — the chain head,
// row counts up to it and per-unit debit/credit sums — so the next routine verify checks only the
// entries after it. Written by verify (not by dispatch): an audit record, not part of the ledger,
// so replay does not produce them. Signed with the anchor secret when one is configured.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('verified_checkpoints', (t) => {
    t.increments('id').primary();
    t.bigInteger('seq').notNullable(); // the last entry verified
    t.string('entry_hash', 71).notNullable(); // its hash (the genesis hash at seq 0)
    t.bigInteger('lines').notNullable(); // journal_lines with entry_seq <= seq
    t.bigInteger('balance_checkpoints').notNullable(); // balance_checkpoints with seq <= seq
    t.text('per_unit').notNullable(); // canonical JSON [{unit, debits_minor, credits_minor}] as decimal strings
    t.string('mode', 16).notNullable(); // full | routine: how this verify got here
    t.bigInteger('from_seq').notNullable(); // the verified checkpoint it started from (0: the genesis)
    t.string('verified_at', 32).notNullable(); // wall clock of the verify run (an audit record, not ledger time)
    t.string('key_id', 64).nullable();
    t.string('signature', 64).nullable(); // HMAC-SHA256 of the canonical body with the anchor secret
    t.index(['seq']);
  });
  await makeAppendOnly(knex, 'verified_checkpoints');
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
