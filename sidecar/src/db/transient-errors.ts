/**
 * Whether an error is our database failing for now — a connection lost or refused, a lock or
 * deadlock, a pool with no free connection, a disk I/O error — on either dialect. Such an error
 * says nothing about the work being attempted: the same statement may succeed on the next try.
 */
const MYSQL_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS', 'ER_SERVER_SHUTDOWN', 'ER_QUERY_INTERRUPTED', 'ER_CLIENT_INTERACTION_TIMEOUT',
]);
/** MySQL/MariaDB client errors "server has gone away" (2006) and "lost connection" (2013), deadlock (1213), lock wait (1205). */
const MYSQL_ERRNOS = new Set([2006, 2013, 1213, 1205]);
/** SQLite's primary codes for a busy or locked database, an I/O failure, a full disk, a file it cannot open. */
const SQLITE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];

export function isTransientDatabaseError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { code?: unknown; errno?: unknown; name?: unknown; fatal?: unknown };
  if (err.name === 'KnexTimeoutError') return true; // no connection free in the pool in time
  // mysql2 marks an error that ended the connection itself `fatal` (e.g. "Can't add new command when
  // connection is in closed state", which has no code): the pool opens another.
  if (err.fatal === true) return true;
  if (typeof err.errno === 'number' && MYSQL_ERRNOS.has(err.errno)) return true;
  if (typeof err.code !== 'string') return false;
  return MYSQL_CODES.has(err.code) || SQLITE_PREFIXES.some((p) => err.code === p || (err.code as string).startsWith(`${p}_`));
}
