import type { NextFunction, Request, Response } from 'express';
import { DomainError, ERROR_STATUS, type ErrorCode } from '../kernel/index.js';
import type { Logger } from 'pino';

export type Problem = { type: string; title: string; status: number; code: ErrorCode; detail: string; [k: string]: unknown };

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request is not valid',
  signature_invalid: 'Not authenticated',
  invalid_id: 'Not a valid id',
  event_from_future: 'Event dated after its receipt',
  forbidden_role: 'Not allowed for this key',
  not_found: 'Not found',
  overloaded: 'Busy, retry later',
  rate_limited: 'Too many requests',
};

export function problemOf(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `https://mybnb.example/problems/${code}`, title: TITLES[code] ?? code.replace(/_/g, ' '), status: ERROR_STATUS[code], code, detail, ...extra };
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The last middleware: every error leaves as problem+json with a stable code; the process stays up. */
export function problemHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof DomainError) {
      const reason = err.internalReason ?? req.authFailure;
      if (err.code === 'signature_invalid' && reason) logger.debug({ path: req.path, reason }, 'authentication failed');
      sendProblem(res, problemOf(err.code, err.message, Object.keys(err.detail).length ? { ...err.detail } : {}));
      return;
    }
    const e = err as { type?: string; status?: number; statusCode?: number };
    if (e?.type === 'entity.too.large') return sendProblem(res, problemOf('body_too_large', 'the request body is larger than allowed'));
    if (e?.type === 'entity.parse.failed') return sendProblem(res, problemOf('invalid_json', 'the request body is not valid JSON'));
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return sendProblem(res, problemOf('bad_request', String((err as Error).message)));
    logger.error({ err, path: req.path }, 'unhandled error');
    sendProblem(res, problemOf('internal', 'internal error; the request changed nothing it did not finish'));
  };
}
