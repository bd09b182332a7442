/** Where the ledger lives, parsed from DATABASE_URL. The only place that knows URL shapes. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'mysql'; host: string; port: number; user: string; password: string; database: string };

export const DEFAULT_SQLITE_FILE = './data/mybnb.sqlite';

export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  if (url === undefined || url === '') return { dialect: 'sqlite', filename: DEFAULT_SQLITE_FILE };
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename === '') throw new Error('sqlite: needs a file path, e.g. sqlite:./data/other.sqlite or sqlite::memory:');
    return { dialect: 'sqlite', filename };
  }
  if (url.startsWith('mysql://')) {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!database) throw new Error('mysql URL needs a database name: mysql://user:pass@host:port/db');
    if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error('mysql database name may only contain letters, digits and _');
    return {
      dialect: 'mysql',
      host: u.hostname || '127.0.0.1',
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password || ''),
      database,
    };
  }
  throw new Error('must be unset, sqlite:<path> or mysql://user:pass@host:port/db');
}

export function describeTarget(t: DatabaseTarget): string {
  return t.dialect === 'sqlite' ? `sqlite:${t.filename}` : `mysql://${t.user}@${t.host}:${t.port}/${t.database}`;
}
