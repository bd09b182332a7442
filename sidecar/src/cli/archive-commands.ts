import { dialectOf, type Db } from '../db/connect.js';
import { migrateLatest } from '../db/migrate.js';
import { exportArchive, importArchive, readArchive } from '../archive/archive.js';

type Out = (s?: string) => void;

/** `mybnb export --archive FILE`: one verifiable archive of every stored row, with its manifest. */
export async function exportArchiveCommand(db: Db, file: string, out: Out): Promise<number> {
  const m = await exportArchive(db, file);
  out(`wrote ${file}: ${m.tables.reduce((n, t) => n + t.rows, 0)} rows in ${m.tables.length} tables`);
  for (const t of m.tables) out(`  ${t.table.padEnd(28)} ${String(t.rows).padStart(9)}  sha256:${t.sha256}`);
  out(`ledger: ${m.ledger.entries} entries, head ${m.ledger.head_hash ?? '(empty)'}`);
  out(`archive body sha256:${m.body_sha256}`);
  return 0;
}

/**
 * `mybnb import FILE`: into an EMPTY database (SQLite is migrated first; MySQL must be migrated by
 * an administrator, `npm run migrate`). `--check` only verifies the archive's hashes.
 */
export async function importArchiveCommand(db: Db, file: string, checkOnly: boolean, out: Out): Promise<number> {
  if (checkOnly) {
    const { header, manifest } = await readArchive(file);
    out(`archive OK: ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows in ${header.tables.length} tables from ${header.dialect}, ledger head ${manifest.ledger.head_hash ?? '(empty)'}`);
    return 0;
  }
  if (dialectOf(db) === 'sqlite') await migrateLatest(db);
  const r = await importArchive(db, file);
  out(`imported ${r.rows} rows in ${r.tables} tables`);
  out(`ledger: ${r.ledger.entries} entries, head ${r.ledger.head_hash} (archive: ${r.manifest.ledger.head_hash ?? '(empty)'})`);
  out(r.ledger.ok ? 'import: OK (verified; run `replay` to rebuild it from the inbox)' : 'import: LEDGER DIFFERS FROM THE ARCHIVE');
  return r.ledger.ok ? 0 : 1;
}
