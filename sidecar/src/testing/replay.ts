import { pino } from 'pino';
import { freshDatabase, type Dialect } from './databases.js';
import { replayInto, type ReplayReport } from '../pipeline/replay.js';
import type { Harness } from './harness.js';

/**
 * The harness's log replayed into a fresh database of the same dialect, with its dispatcher and
 * outbox stopped meanwhile (so the log does not move under the replay); the dispatcher starts again
 * after. Tests assert on the report (`identical`, `first_difference`).
 */
export async function replayHarness(h: Harness, dialect: Dialect): Promise<ReplayReport> {
  await h.settle();
  await h.sidecar.outbox?.stop();
  await h.sidecar.dispatcher.stop();
  const target = await freshDatabase(dialect);
  try {
    return await replayInto(h.sidecar.db, target.db, { logger: pino({ level: 'silent' }) });
  } finally {
    await target.drop();
    h.sidecar.dispatcher.start();
  }
}
