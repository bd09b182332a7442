import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import Stripe from 'stripe';
import { pino, type Logger } from 'pino';
import { formatIsoUtc } from './kernel/index.js';
import type { Config } from './config.js';
import { openDb, type Db } from './db/connect.js';
import { describeTarget } from './db/database-url.js';
import { migrateLatest, pendingMigrations } from './db/migrate.js';
import { createApp } from './http/app.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { Dispatcher } from './pipeline/dispatcher.js';
import { PreviewModel } from './pipeline/preview-model.js';
import { DispatchLease, type LeaseOptions } from './pipeline/batch/leasing.js';
import { publishPolicies } from './pipeline/publish-policies.js';
import { readPolicyDir } from './policy-files.js';
import { OutboxWorker } from './flows/outbox/worker.js';
import { ingestStripeApiObject } from './sari/ingest.js';
import { InboxWriter } from './sari/inbox-writer.js';
import { ClockTicker } from './sari/clock-ticker.js';
import { registerOpsMetrics } from './http/ops-metrics.js';
import { startMetricsServer } from './http/metrics-server.js';
import { ingestOutboxFailure } from './sari/outbox-failure.js';
import { retryableByPolicy } from './pipeline/outbox-classify.js';
import { runDailyReconciliation } from './pipeline/reconciliation-run.js';
import { startOutbound } from './outbound-service.js';
import type { OutboundWorker } from './flows/outbound/worker.js';

export type Sidecar = {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  dispatcher: Dispatcher;
  /** The preview read model the HTTP routes answer from. */
  previews: PreviewModel;
  outbox: OutboxWorker | null;
  clock: ClockTicker | null;
  /** The 127.0.0.1-only metrics listener (METRICS_PORT), if configured. */
  metricsServer: Server | null;
  outbound?: OutboundWorker | null;
  server: Server;
  url: string;
  stop: () => Promise<void>;
};

export class StartupError extends Error {}

/** JSON logs that never carry a signature or a secret, whoever logs what. */
export function createLogger(level: Config['logLevel'], destination?: { write: (line: string) => void }): Logger {
  return pino({ level, redact: { paths: ['req.headers["mybnb-signature"]', 'req.headers["stripe-signature"]', 'headers["mybnb-signature"]', 'headers["stripe-signature"]', '*.secret', '*.password', 'config.sidecarKeys', 'config.stripeSecretKey'], censor: '[redacted]' } }, ...(destination ? [destination] : []));
}

/**
 * The composition root: opens the database (migrating SQLite, refusing a MySQL schema that is
 * behind), logs the policy versions it has not published yet, drains the inbox, then serves.
 */
export async function startSidecar(config: Config, opts: { logger?: Logger; db?: Db; now_ms?: () => number; outboxInterval_ms?: number; stripeTimeout_ms?: number; outboundInterval_ms?: number; outbox?: { maxAttempts?: number; baseDelay_ms?: number; maxDelay_ms?: number }; lease?: LeaseOptions } = {}): Promise<Sidecar> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now_ms = opts.now_ms ?? Date.now;
  const db = opts.db ?? openDb(config.database);
  if (config.database.dialect === 'sqlite') {
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } else {
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      await db.destroy();
      throw new StartupError(`the database schema at ${describeTarget(config.database)} is behind (pending: ${pending.join(', ')}): run \`npm run migrate\` with an administrator's DATABASE_URL first`);
    }
  }
  const metrics = createMetrics();
  const inboxWriter = new InboxWriter(db);
  const inbox = (input: Parameters<InboxWriter['store']>[0]) => inboxWriter.store(input);
  // Several replicas may share the database: only the holder of the dispatch lease dispatches.
  // opts.lease: code-only (the simulation's replicas take over at once); no setting reaches it.
  const lease = new DispatchLease(db, `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, opts.lease);
  const dispatcher = new Dispatcher(db, { logger, lease, onResult: (status) => metrics.dispatched.inc({ status }) });
  try {
    const { published } = await publishPolicies(db, readPolicyDir(config.policyDir), now_ms());
    if (published.length) logger.info({ published }, 'policy versions published to the log');
    await dispatcher.drain();
  } catch (e) {
    if (!opts.db) await db.destroy();
    throw e instanceof Error && /changed after it was published/.test(e.message) ? new StartupError(e.message) : e;
  }
  dispatcher.start();

  let outbox: OutboxWorker | null = null;
  if (config.stripeSecretKey) {
    const url = config.stripeApiUrl;
    const stripe = new Stripe(config.stripeSecretKey, {
      maxNetworkRetries: 0, // the outbox retries, and records every attempt
      timeout: opts.stripeTimeout_ms ?? 20_000,
      telemetry: false,
      ...(url ? { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol.replace(':', '') as 'http' | 'https' } : {}),
    });
    outbox = new OutboxWorker(db, stripe, {
      logger,
      ...opts.outbox,
      classify: (f) => retryableByPolicy(db, f),
      reconcile: (p) => runDailyReconciliation(db, stripe, p),
      onFailure: async (_intent, a) => {
        const stored = await ingestOutboxFailure(inbox, { intent_id: a.intent_id, attempt: a.attempt, round_ended: a.round_ended, http_status: a.http_status, error_code: a.error_code, error_message: a.error_message, request_id: a.request_id ?? null, transport_retryable: a.outcome !== 'failed' }, a.attempted_at, now_ms()).catch((e: unknown) => {
          // A crash after this attempt number's failure entered the log and before its attempt row
          // was written makes the next try reuse the number (found by the simulation, issue #18):
          // the log already holds that attempt's failure. Refusing here would stop every later
          // intent's pass behind this one for good; the attempt row is written below as usual.
          if ((e as { code?: string }).code === 'idempotency_conflict') return null;
          throw e;
        });
        if (stored && !stored.duplicate) dispatcher.noteStored(stored.inbox_id);
      },
      onAttempt: (operation, outcome) => {
        metrics.outboxAttempts.inc({ operation, outcome });
        if (outcome === 'retryable') metrics.outboxRetries.inc({ operation });
      },
      onStripeObject: async (_intent, object) => {
        const stored = await ingestStripeApiObject(inbox, object, objectTime(object), now_ms());
        if (!stored.duplicate) dispatcher.noteStored(stored.inbox_id);
      },
    });
    outbox.start(opts.outboxInterval_ms ?? 200);
  } else {
    logger.warn('STRIPE_SECRET_KEY is not set: outbox intents are kept and shown, and nothing is sent to Stripe');
  }

  // The sidecar keeps its own time (issues #13, #16): a clock.tick every CLOCK_TICK_S seconds (0 = off),
  // an inbox event like any other (replayed exactly), one ticker across replicas (an append-only lease).
  const clock = config.clockTick_s > 0
    ? new ClockTicker({ db, store: inbox, onStored: (id) => dispatcher.noteStored(id), onTick: (result) => metrics.clockTicks.inc({ result }), logger, interval_ms: config.clockTick_s * 1000, now_ms })
    : null;
  clock?.start();

  const outbound = startOutbound(config, db, logger, metrics.registry, { interval_ms: opts.outboundInterval_ms });
  registerOpsMetrics(metrics, db, now_ms);
  const metricsServer = config.ops.metricsPort !== null ? await startMetricsServer(metrics, config.ops.metricsPort) : null;
  const previews = new PreviewModel(db);
  const app = createApp({ config, db, logger, metrics, dispatcher, previews, inbox, now_ms });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.listenHost, () => resolve(s));
    s.on('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${localAddress(config.listenHost)}:${port}`;
  logger.info({ url, listen: `${config.listenHost}:${port}`, database: describeTarget(config.database), demo: config.demo }, 'sidecar listening');
  let stopping: Promise<void> | null = null;
  return {
    config, db, logger, metrics, dispatcher, previews, outbox, outbound, clock, metricsServer, server, url,
    // Graceful: stop ticking and accepting, let requests in flight finish (up to SHUTDOWN_GRACE_S),
    // let the dispatcher finish the batch in hand, then close the database. Safe to call twice.
    stop: () => (stopping ??= (async () => {
      await clock?.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.ops.shutdownGrace_s * 1000);
      await closed;
      clearTimeout(grace);
      if (metricsServer) await new Promise<void>((r) => { metricsServer.close(() => r()); metricsServer.closeAllConnections(); });
      await outbox?.stop();
      await outbound?.stop();
      await dispatcher.stop();
      await db.destroy();
    })()),
  };
}

/** Where this process reaches its own server: loopback when it listens on every address. */
function localAddress(listenHost: string): string {
  if (listenHost === '0.0.0.0' || listenHost === '::') return '127.0.0.1';
  return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
}

/** The event time of an object Stripe returned: its own `created` (so a webhook and the API's answer agree). */
function objectTime(object: Record<string, unknown>): string {
  const created = typeof object.created === 'number' ? object.created : 0;
  return formatIsoUtc(created * 1000);
}
