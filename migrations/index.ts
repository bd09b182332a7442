import type { Knex } from 'knex';
import * as m001 from './001_ledger.js';
import * as m002 from './002_inbox.js';
import * as m003 from './003_bookings.js';
import * as m010 from './010_dispatch_lease.js';
import * as m050 from './050_outbound_events.js';
import * as m040 from './040_subscriptions.js';
import * as m060 from './060_clock_leases.js';
import * as m080 from './080_read_model_changes.js';
import * as m070 from './070_balance_checkpoints.js';
import * as m071 from './071_verified_checkpoints.js';
import * as m085 from './085_booking_check_in.js';
import * as m086 from './086_entries_by_time.js';
import * as m087 from './087_host_entries.js';
import * as m088 from './088_verified_guard.js';
import * as m020 from './020_outbox_redrive.js';
import * as m021 from './021_host_account_states.js';
import * as m022 from './022_reconciliation_reports.js';

/**
 * The migrations, in order. Listed here (not discovered from the folder) so they run the same under
 * tsx, in tests and in the CLI. Never edit a migration that has landed: add the next one.
 */
export const MIGRATIONS: ReadonlyArray<readonly [string, { up: (k: Knex) => Promise<void>; down: (k: Knex) => Promise<void> }]> = [
  ['001_ledger', m001],
  ['002_inbox', m002],
  ['003_bookings', m003],
  ['010_dispatch_lease', m010],
  ['050_outbound_events', m050],
  ['040_subscriptions', m040],
  ['060_clock_leases', m060],
  ['080_read_model_changes', m080],
  ['070_balance_checkpoints', m070],
  ['071_verified_checkpoints', m071],
  ['085_booking_check_in', m085],
  // issue #12 (numbers reserved for it; listed in the order they landed, like 050 before 040)
  ['020_outbox_redrive', m020],
  ['021_host_account_states', m021],
  ['022_reconciliation_reports', m022],
  // issue #11 (statement by period), after #12's
  ['086_entries_by_time', m086],
  // issue #11 (statement by host and time; routine verify that does not recount)
  ['087_host_entries', m087],
  ['088_verified_guard', m088],
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};
