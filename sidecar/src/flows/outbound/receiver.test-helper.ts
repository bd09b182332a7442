import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookConsumer, type OutboundEvent } from '../../../../examples/receiver.js';

export type Recorded = { headers: Record<string, string>; body: string; status: number };

/**
 * A real HTTP receiver on 127.0.0.1 around the example consumer, whose answer tests control:
 * 'up' (the consumer answers), 'down' (the connection is dropped), or a fixed status.
 */
export async function startTestReceiver(opts: { answer?: (e: OutboundEvent | null) => number | 'up' | 'down' } = {}) {
  // The endpoint's secret is known once it is added: until then no signature verifies.
  let consumer = new WebhookConsumer(`whsec_${Buffer.from('not-yet-configured-secret').toString('base64')}`);
  const requests: Recorded[] = [];
  let mode: 'up' | 'down' | number = 'up';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      let parsed: OutboundEvent | null = null;
      try {
        parsed = JSON.parse(body) as OutboundEvent;
      } catch {
        /* not JSON */
      }
      const m = opts.answer ? opts.answer(parsed) : mode;
      const how = m === 'up' && mode !== 'up' ? mode : m;
      if (how === 'down') {
        requests.push({ headers, body, status: 0 });
        req.socket.destroy();
        return;
      }
      if (typeof how === 'number') {
        requests.push({ headers, body, status: how });
        res.writeHead(how).end();
        return;
      }
      const r = consumer.receive(headers, body);
      requests.push({ headers, body, status: r.status });
      res.writeHead(r.status).end(r.result);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    get consumer() {
      return consumer;
    },
    useSecret: (secret: string | string[]) => {
      consumer = new WebhookConsumer(secret);
    },
    requests, port,
    url: `http://127.0.0.1:${port}/hooks`,
    set: (m: 'up' | 'down' | number) => {
      mode = m;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
