import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

/**
 * METRICS_PORT: /metrics unsigned for a local Prometheus (or a sidecar exporter), bound to
 * 127.0.0.1 only, so nothing beyond the machine (or the pod) can read it. Anything else is 404.
 */
export async function startMetricsServer(metrics: Metrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'https://mybnb.example/problems/not_found', title: 'Not found', status: 404, code: 'not_found', detail: 'only GET /metrics here' }));
      return;
    }
    metrics.scrape().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
