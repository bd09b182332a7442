import type { Knex } from 'knex';
import { guardBelowVerified } from '../sidecar/src/db/append-only.js';

// Issue #11, item 11: no ledger row may be added at or below the newest verified checkpoint (a
// trigger per table, binding every user like the append-only ones). With UPDATE and DELETE already
// refused, what a verify saw cannot change but in place (dropping triggers, editing files), so a
// routine verify need not recount the old rows (docs/ledger.md, "Routine verify").
export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of [['journal_entries', 'seq'], ['journal_lines', 'entry_seq'], ['balance_checkpoints', 'seq'], ['host_entries', 'seq']] as const) {
    await guardBelowVerified(knex, table, column);
  }
}

export async function down(): Promise<void> {
  throw new Error('append-only: no rollback');
}
