import { cpus, loadavg } from 'node:os';
import { openDb } from '../../sidecar/src/db/connect.js';
import { MYSQL_ADMIN } from '../../sidecar/src/testing/databases.js';

/** Shared by the benches: what the machine and databases are. */

export async function mysqlVersion(): Promise<string | null> {
  if (process.env.MYBNB_TEST_MYSQL === '0') return null;
  const db = openDb({ dialect: 'mysql', ...MYSQL_ADMIN, database: 'test' }, { pool_max: 1 });
  try {
    const [rows] = (await Promise.race([
      db.raw('SELECT VERSION() AS v'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref()),
    ])) as [Array<{ v: string }>];
    return rows[0]!.v;
  } catch {
    return null;
  } finally {
    await db.destroy();
  }
}

export async function sqliteVersion(): Promise<string> {
  const db = openDb({ dialect: 'sqlite', filename: ':memory:' });
  try {
    const rows = (await db.raw('SELECT sqlite_version() AS v')) as Array<{ v: string }>;
    return rows[0]!.v;
  } finally {
    await db.destroy();
  }
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}

/** The 1-minute load average: other work on the machine skews every figure, so the table says how busy it was. */
export function load1(): string {
  return loadavg()[0]!.toFixed(1);
}

export const mysqlWhere = `${MYSQL_ADMIN.host}:${MYSQL_ADMIN.port}`;

export function ms(n: number): string {
  return n >= 100 ? `${Math.round(n)} ms` : `${n.toPrecision(n >= 10 ? 3 : 2)} ms`;
}
