import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../kernel/index.js';
import { rolesOf, type RouteKey } from '../route-roles.js';

/** The roles of a signed route: route-roles.ts is the one table. */
export function rolesFor(doc: { method: string; path: string }): readonly string[] {
  return rolesOf(`${doc.method.toUpperCase()} ${doc.path}` as RouteKey);
}

/**
 * The API described route by route, next to the zod schemas the code uses. docs/openapi.json and
 * GET /openapi.json are generated from these entries (openapi.ts); openapi.test.ts fails, naming
 * the route, when an Express route has no entry or an entry has no route, and calls every route to
 * check it answers with a described status and body.
 *
 * To add a route: describe it in the area's file here (or a new `<area>.ts` listed in index.ts).
 */
export type Auth =
  /** Anyone (health, readiness, the contract itself). */
  | { kind: 'none' }
  /** MyBnB-Signature by a key of the roles route-roles.ts gives the route (401 unsigned or bad, 403 wrong role, 429). */
  | { kind: 'signed' }
  /** Stripe-Signature with a configured webhook secret. */
  | { kind: 'stripe' };

export type Reply = { description: string; schema?: z.ZodType; contentType?: string };

export type RouteDoc = {
  method: 'get' | 'post';
  /** The Express path, `:param` style. */
  path: string;
  summary: string;
  tags: string[];
  auth: Auth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; contentType?: string };
  /** Success replies by status; problem replies are listed by their stable codes in `problems`. */
  responses: Record<number, Reply>;
  /** The problem codes this route itself may answer (signature, rate-limit codes are added from `auth`). */
  problems?: ErrorCode[];
  /**
   * For openapi.test.ts: a request that, after the test's small story (booking `bk_oa_1` of guest
   * `guest_oa` and host `host_oa`, paid), gets a described success. Without one the test fills
   * every `:param` with an unknown id and expects a described answer.
   */
  example?: { path: string; body?: unknown };
};

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
  detail: z.string(),
}).loose().meta({ description: 'application/problem+json (RFC 9457) with a stable code' });

/** Problem codes every route of this kind may answer, beside its own. */
export function authProblems(auth: Auth): ErrorCode[] {
  switch (auth.kind) {
    case 'none': return [];
    case 'signed': return ['signature_invalid', 'forbidden_role', 'rate_limited'];
    case 'stripe': return ['signature_invalid', 'rate_limited'];
  }
}

/** Every status this route may answer: its successes and the statuses of its problem codes. */
export function statusesOf(doc: RouteDoc): Map<number, Reply & { problem: boolean; codes: ErrorCode[] }> {
  const out = new Map<number, Reply & { problem: boolean; codes: ErrorCode[] }>();
  for (const [status, reply] of Object.entries(doc.responses)) out.set(Number(status), { ...reply, problem: false, codes: [] });
  for (const code of [...authProblems(doc.auth), ...(doc.problems ?? []), 'internal' as const]) {
    const status = ERROR_STATUS[code];
    const r = out.get(status) ?? { description: '', schema: Problem, contentType: 'application/problem+json', problem: true, codes: [] };
    if (!r.problem) throw new Error(`${doc.method} ${doc.path}: status ${status} is both a success and problem ${code}`);
    r.codes.push(code);
    r.description = `problem: ${r.codes.join(', ')}`;
    out.set(status, r);
  }
  return out;
}
