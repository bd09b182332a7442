import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { Dispatcher } from '../pipeline/dispatcher.js';
import type { PreviewModel } from '../pipeline/preview-model.js';
import type { Metrics } from './metrics.js';
import type { InboxStore } from '../sari/ingest.js';

/** What the HTTP shell needs, built once by the composition root (main.ts). */
export type Services = {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  dispatcher: Dispatcher;
  /** Previews from memory, following the dispatch log's position (issue #11 item 3). */
  previews: PreviewModel;
  /** Durable inbox writes, grouped into shared commits. */
  inbox: InboxStore;
  /** The wall clock, read only at the boundary (signature freshness, `at` defaults, received_at). */
  now_ms: () => number;
};
