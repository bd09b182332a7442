import { hostname } from 'node:os';
import { pino } from 'pino';
import type { Db } from '../db/connect.js';
import { Dispatcher } from '../pipeline/dispatcher.js';
import { DispatchLease } from '../pipeline/batch/leasing.js';

/**
 * `mybnb worker`: dispatch in a process of its own, off the ingestion processes' event loops. It
 * dispatches while it holds the dispatch lease; sidecar processes on the same database then only
 * ingest and read (their own dispatchers find the lease held), and take over within 5 s if the
 * worker dies. Stops cleanly on SIGINT/SIGTERM, giving the lease back.
 */
export async function runWorker(db: Db, say: (s: string) => void): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const lease = new DispatchLease(db, `worker:${hostname()}:${process.pid}`);
  const dispatcher = new Dispatcher(db, { logger, lease, onBatch: (b) => logger.debug(b, 'batch') });
  dispatcher.start(50);
  say('worker: dispatching while it holds the dispatch lease (SIGINT or SIGTERM to stop)');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dispatcher.stop();
  say('worker: stopped, lease released');
}
