import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import { OutboundWorker } from './flows/outbound/worker.js';
import { countDeadLetters } from './flows/outbound/deliveries.js';

/**
 * Outbound events (#15), as the composition root starts them: the delivery worker (only with
 * OUTBOUND_SECRETS_KEY: without it events are kept in the outbox and nothing is sent) and its
 * metrics — attempts by outcome, and dead letters now (read from the database at each scrape).
 */
export function startOutbound(config: Config, db: Db, logger: Logger, registry: Registry, opts: { interval_ms?: number } = {}): OutboundWorker | null {
  const attempts = new Counter({ name: 'mybnb_outbound_attempts_total', help: 'Outbound event delivery attempts by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  new Gauge({
    name: 'mybnb_outbound_dead_letters', help: 'Outbound deliveries dead after their retry schedule (GET /outbound/deliveries?status=dead)', registers: [registry],
    async collect() {
      this.set(await countDeadLetters(db));
    },
  });
  if (!config.outboundSecretsKey) {
    logger.warn('OUTBOUND_SECRETS_KEY is not set: outbound events are kept and nothing is delivered to endpoints');
    return null;
  }
  const worker = new OutboundWorker(db, {
    logger, secretsKey: config.outboundSecretsKey, allowHttp: config.development === true || config.demo,
    onAttempt: (outcome) => attempts.inc({ outcome }),
  });
  worker.start(opts.interval_ms ?? 250);
  return worker;
}
