import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { pinoHttp } from 'pino-http';
import { stdSerializers, type Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One access-log line per request: request id (X-Request-Id when the caller sent a sane one, else
 * new; echoed back), method, route, path, status, duration. Headers and bodies are not logged at
 * all — so no signature, secret or payload can leak through it — only what is listed here.
 */
export function accessLog(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Our serializers read the raw request and response: pino-http's default wrapping would first
    // build the standard serializers' objects (every header) on every request, only for ours to
    // pick three fields of them. `err` stays the standard one, as the wrapping gave it.
    wrapSerializers: false,
    serializers: {
      req: (req: { id: unknown; method: string; url: string; originalUrl?: string }) => ({ id: req.id, method: req.method, path: String(req.originalUrl ?? req.url).split('?')[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: stdSerializers.err,
    },
    // Called when the request starts and again when it ends; the route is known only at the end
    // (undefined at the start: no empty child logger per request).
    customProps: (req: IncomingMessage, res: ServerResponse) => (res.writableEnded ? { route: ((req as Request).route?.path as string | undefined) ?? 'unmatched' } : (undefined as unknown as object)),
    // 'silent' when the logger that writes the line (pino-http's `res.log`) would drop it anyway:
    // pino-http then skips building it (a child logger and its bindings per request).
    customLogLevel: (_req, res, err) => {
      const level = err || res.statusCode >= 500 ? 'error' : 'info';
      return (res as ServerResponse & { log?: Logger }).log?.isLevelEnabled(level) === false ? 'silent' : level;
    },
    customSuccessMessage: (req, res) => `${req.method} ${String(req.url).split('?')[0]} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${String(req.url).split('?')[0]} ${res.statusCode}`,
    customAttributeKeys: { responseTime: 'duration_ms' },
    quietReqLogger: true,
  });
}
