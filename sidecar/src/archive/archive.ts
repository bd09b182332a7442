import { createReadStream, createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { dialectOf, toInt, type Db } from '../db/connect.js';
import { generatedColumns, listTables } from '../db/tables.js';
import { pendingMigrations } from '../db/migrate.js';
import { headSeq, verifyLedger } from '../flows/ledger/index.js';

/**
 * One verifiable archive of a database: every stored row of every table (inbox, ledger, evidence,
 * policy versions, bookings, outbox, and whatever tables later migrations add — checkpoints
 * included), so an import is the same database, ids and hashes included.
 *
 * Format: gzip of JSON lines. Line 1 is the header; then one `{"t":table,"r":row}` per row, table
 * by table in a fixed order; the last line is the manifest: per table its row count and the sha256
 * of its lines, the sha256 of everything before the manifest, and the ledger's head. `import`
 * checks every hash before it writes anything.
 */
export const ARCHIVE_FORMAT = 'mybnb-archive';
export const ARCHIVE_VERSION = 1;

/** Not data: knex's bookkeeping (the schema is named by the header instead) and the leases (which replica ticks, which dispatches). */
const NOT_ARCHIVED = new Set(['knex_migrations', 'knex_migrations_lock', 'clock_lease_claims', 'dispatch_lease']);

export type ArchiveHeader = { format: string; version: number; dialect: 'sqlite' | 'mysql'; migrations: string[]; tables: string[] };
export type ArchiveManifest = {
  tables: Array<{ table: string; rows: number; sha256: string }>;
  /** The chain head when exported (null: an empty ledger). */
  ledger: { entries: number; head_hash: string | null };
  body_sha256: string;
};

const sha256 = () => createHash('sha256');
const INTEGER_TYPES = /^(integer|int|bigint|smallint|tinyint|mediumint)/i;

async function dataTables(db: Db): Promise<string[]> {
  return (await listTables(db)).filter((t) => !NOT_ARCHIVED.has(t));
}

/** Stored columns in a stable order (generated ones are derived, so not archived), and which hold integers (MySQL hands BIGINT back as strings). */
async function columnsOf(db: Db, table: string): Promise<{ names: string[]; integers: Set<string> }> {
  const info = (await db(table).columnInfo()) as unknown as Record<string, { type: string }>;
  const generated = await generatedColumns(db, table);
  const names = Object.keys(info).filter((c) => !generated.has(c)).sort();
  return { names, integers: new Set(names.filter((c) => INTEGER_TYPES.test(info[c]!.type))) };
}

export async function exportArchive(db: Db, file: string): Promise<ArchiveManifest> {
  const gzip = createGzip();
  const out = createWriteStream(file);
  gzip.pipe(out);
  const body = sha256();
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  };
  const tables = await dataTables(db);
  const migrations = ((await db('knex_migrations').orderBy('id').select('name')) as Array<{ name: string }>).map((r) => r.name);
  const header: ArchiveHeader = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, dialect: dialectOf(db), migrations, tables };
  const headerLine = JSON.stringify({ header });
  body.update(`${headerLine}\n`);
  await write(headerLine);
  const manifestTables: ArchiveManifest['tables'] = [];
  // One read transaction: the archive is one consistent moment of the database.
  const ledger = await db.transaction(async (trx) => {
    for (const table of tables) {
      const { names, integers } = await columnsOf(trx, table);
      const h = sha256();
      let rows = 0;
      const page = 2000;
      for (let offset = 0; ; offset += page) {
        const batch = (await trx(table).select(names).orderBy(names.map((c) => ({ column: c }))).limit(page).offset(offset)) as Array<Record<string, unknown>>;
        for (const raw of batch) {
          const row: Record<string, unknown> = {};
          for (const c of names) row[c] = raw[c] === null || raw[c] === undefined ? null : integers.has(c) ? toInt(raw[c]) : raw[c];
          const line = JSON.stringify({ t: table, r: row });
          h.update(`${line}\n`);
          body.update(`${line}\n`);
          await write(line);
          rows++;
        }
        if (batch.length < page) break;
      }
      manifestTables.push({ table, rows, sha256: h.digest('hex') });
    }
    return headSeq(trx);
  });
  const manifest: ArchiveManifest = { tables: manifestTables, ledger: { entries: ledger.seq, head_hash: ledger.entry_hash }, body_sha256: body.digest('hex') };
  await write(JSON.stringify({ manifest }));
  gzip.end();
  await finished(out);
  return manifest;
}

type Parsed = { header: ArchiveHeader; manifest: ArchiveManifest };

/** Reads an archive, checking every hash; `onRow` sees each row (in file order) once it is read. */
export async function readArchive(file: string, onRow?: (table: string, row: Record<string, unknown>) => Promise<void>): Promise<Parsed> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const body = sha256();
  let header: ArchiveHeader | null = null;
  let manifest: ArchiveManifest | null = null;
  const perTable = new Map<string, { h: ReturnType<typeof sha256>; rows: number }>();
  for await (const line of lines) {
    if (manifest) throw new Error('archive: data after the manifest');
    const value = JSON.parse(line) as { header?: ArchiveHeader; manifest?: ArchiveManifest; t?: string; r?: Record<string, unknown> };
    if (value.manifest) {
      manifest = value.manifest;
      continue;
    }
    body.update(`${line}\n`);
    if (value.header) {
      if (header) throw new Error('archive: two headers');
      if (value.header.format !== ARCHIVE_FORMAT || value.header.version !== ARCHIVE_VERSION) throw new Error(`archive: not a ${ARCHIVE_FORMAT} v${ARCHIVE_VERSION}`);
      header = value.header;
      continue;
    }
    if (!header || typeof value.t !== 'string' || !value.r) throw new Error('archive: malformed line');
    if (!header.tables.includes(value.t)) throw new Error(`archive: rows of a table the header does not list (${value.t})`);
    const p = perTable.get(value.t) ?? { h: sha256(), rows: 0 };
    p.h.update(`${line}\n`);
    p.rows++;
    perTable.set(value.t, p);
    await onRow?.(value.t, value.r);
  }
  if (!header) throw new Error('archive: no header (is this a mybnb archive?)');
  if (!manifest) throw new Error('archive: no manifest (the file is truncated)');
  if (body.digest('hex') !== manifest.body_sha256) throw new Error('archive: body_sha256 does not match the manifest');
  for (const t of manifest.tables) {
    const p = perTable.get(t.table);
    if ((p?.rows ?? 0) !== t.rows) throw new Error(`archive: ${t.table} has ${p?.rows ?? 0} rows, the manifest says ${t.rows}`);
    if ((p ? p.h.digest('hex') : sha256().digest('hex')) !== t.sha256) throw new Error(`archive: ${t.table} rows do not match their hash`);
  }
  return { header, manifest };
}

export type ImportReport = { tables: number; rows: number; ledger: { entries: number; head_hash: string; ok: boolean }; manifest: ArchiveManifest };

/**
 * Loads an archive into an EMPTY database of either dialect, migrated to at least the archive's
 * schema. Checks every hash first (nothing is written from a damaged file), writes every row in
 * one transaction, then verifies the ledger and compares its head with the manifest's.
 */
export async function importArchive(db: Db, file: string): Promise<ImportReport> {
  const { header, manifest } = await readArchive(file);
  const pending = await pendingMigrations(db);
  if (pending.length > 0) throw new Error(`import: the target schema is behind (pending: ${pending.join(', ')}); migrate it first`);
  const applied = new Set(((await db('knex_migrations').select('name')) as Array<{ name: string }>).map((r) => r.name));
  const unknown = header.migrations.filter((m) => !applied.has(m));
  if (unknown.length) throw new Error(`import: the archive's schema has migrations this code does not know (${unknown.join(', ')})`);
  const targetTables = new Set(await dataTables(db));
  for (const t of header.tables) if (!targetTables.has(t)) throw new Error(`import: the target has no table ${t}`);
  for (const t of targetTables) {
    const n = await db(t).count({ n: '*' }).first();
    if (toInt(n?.n ?? 0) > 0) throw new Error(`import: the target database is not empty (${t} has rows); import only into an empty database`);
  }
  let rows = 0;
  await db.transaction(async (trx) => {
    let buffer: Array<Record<string, unknown>> = [];
    let bufferTable = '';
    const flush = async () => {
      if (buffer.length) await trx(bufferTable).insert(buffer);
      buffer = [];
    };
    const generated = new Map<string, Set<string>>();
    await readArchive(file, async (table, row) => {
      if (table !== bufferTable || buffer.length >= 100) await flush();
      bufferTable = table;
      if (!generated.has(table)) generated.set(table, await generatedColumns(trx, table));
      // An archive from another dialect (or an older export) may carry a column this server computes itself.
      for (const c of generated.get(table)!) delete row[c];
      buffer.push(row);
      rows++;
    });
    await flush();
  });
  const verify = await verifyLedger(db);
  const ok = verify.ok && verify.entries === manifest.ledger.entries && (manifest.ledger.head_hash === null || verify.head_hash === manifest.ledger.head_hash);
  return { tables: header.tables.length, rows, ledger: { entries: verify.entries, head_hash: verify.head_hash, ok }, manifest };
}
