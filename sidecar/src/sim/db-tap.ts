import type { ConnectionTap } from '../db/connect.js';

/**
 * The simulation's hand on one replica's database connections (db/connect.ts `onConnection`):
 * it counts statements and, when armed, at the Nth one either
 *
 * - **kills** the replica: that statement and every later one fails and the connection is closed
 *   under the transaction in flight (SQLite rolls an open transaction back when its connection
 *   closes; MariaDB when the socket goes). What committed stays, nothing else is written: from the
 *   database's side exactly what a SIGKILL between two statements leaves. The process itself is
 *   not killed (an in-process kill keeps a seed at a fraction of a second; docs/simulation.md);
 *   the driver abandons the replica and starts another on the same database.
 * - **drops** the connection: on MariaDB the socket is destroyed under the statement (the pool
 *   discards it and opens another); SQLite has no connection to lose, so the statement fails
 *   with an I/O error instead. The replica lives on; what was in flight failed and is retried by
 *   whoever sent it.
 */
export class DbTap {
  private count = 0;
  private killAt: number | null = null;
  private dropAt: number | null = null;
  private conns: Array<{ conn: unknown; dialect: 'sqlite' | 'mysql' }> = [];
  /** True once the kill fired: the replica is dead. */
  killed = false;
  /** How many kills and drops fired (a fault plan that never fires proves nothing). */
  fired = { kill: 0, drop: 0 };

  /** Kill at the nth statement from now (null: disarm). */
  armKill(n: number | null): void {
    this.killAt = n === null ? null : this.count + n;
  }

  armDrop(n: number | null): void {
    this.dropAt = n === null ? null : this.count + n;
  }

  readonly tap: ConnectionTap = (conn, dialect) => {
    this.conns.push({ conn, dialect });
    if (dialect === 'sqlite') {
      const c = conn as { prepare: (sql: string) => unknown; close: () => void };
      const prepare = c.prepare.bind(c);
      c.prepare = (sql: string) => {
        this.before(undefined, sql);
        return prepare(sql);
      };
    } else {
      const c = conn as { query: (...a: unknown[]) => unknown; execute?: (...a: unknown[]) => unknown; destroy: () => void };
      for (const m of ['query', 'execute'] as const) {
        const f = c[m];
        if (typeof f !== 'function') continue;
        const bound = f.bind(c);
        c[m] = (...a: unknown[]) => {
          this.before(c);
          return bound(...a);
        };
      }
    }
  };

  private before(mysqlConn?: { destroy: () => void }, sql?: string): void {
    if (this.killed) throw simulatedError('the replica was killed (simulated SIGKILL)', 'SIM_KILLED');
    this.count++;
    if (this.killAt !== null && this.count >= this.killAt) {
      this.killAt = null;
      this.kill();
      throw simulatedError('the replica was killed (simulated SIGKILL)', 'SIM_KILLED');
    }
    // SQLite: an I/O error on BEGIN/COMMIT/ROLLBACK/SAVEPOINT would leave knex's transaction state
    // behind the connection's — no real SQLite failure looks like that; the next ordinary statement fails instead
    const control = sql !== undefined && /^\s*(begin|commit|rollback|savepoint|release)/i.test(sql);
    if (this.dropAt !== null && this.count >= this.dropAt && !control) {
      this.dropAt = null;
      this.fired.drop++;
      if (mysqlConn) {
        mysqlConn.destroy();
        throw simulatedError('Connection lost: The server closed the connection. (simulated)', 'PROTOCOL_CONNECTION_LOST');
      }
      throw simulatedError('disk I/O error (simulated)', 'SQLITE_IOERR');
    }
  }

  /** Kill now: every connection closed, every later statement refused. */
  kill(): void {
    if (this.killed) return;
    this.killed = true;
    this.fired.kill++;
    for (const { conn, dialect } of this.conns) {
      try {
        if (dialect === 'sqlite') {
          const c = conn as { close: () => void; exec: (sql: string) => void; inTransaction: boolean };
          if (c.inTransaction) c.exec('ROLLBACK'); // what closing does anyway; done first so the lock goes even if close is refused
          c.close();
        }
        else (conn as { destroy: () => void }).destroy();
      } catch {
        /* already closed */
      }
    }
  }
}

function simulatedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
