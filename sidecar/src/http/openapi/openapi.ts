import { z } from 'zod';
import { Problem, rolesFor, statusesOf, type RouteDoc } from './registry.js';

export const OPENAPI_VERSION = '3.1.0';

/** The OpenAPI 3.1 document of these routes, every schema converted from zod (JSON Schema 2020-12). */
export function buildOpenApi(routes: RouteDoc[], info: { version: string }): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const json = (schema: z.ZodType, io: 'input' | 'output') => {
    const s = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
    delete s.$schema;
    return s;
  };
  schemas.Problem = json(Problem, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const oaPath = doc.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, obj] of [['path', doc.params], ['query', doc.query]] as const) {
      if (!obj) continue;
      for (const [name, schema] of Object.entries(obj.shape)) {
        const s = json(schema as z.ZodType, 'input');
        parameters.push({ name, in: where, required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success, schema: s, ...(s.description ? { description: s.description } : {}) });
      }
    }
    const pathParams = [...doc.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    for (const name of pathParams) {
      if (!parameters.some((p) => (p as { name: string; in: string }).name === name && (p as { in: string }).in === 'path')) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of statusesOf(doc)) {
      responses[String(status)] = {
        description: r.description,
        ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.problem ? { $ref: '#/components/schemas/Problem' } : json(r.schema, 'output') } } } : {}),
      };
    }
    paths[oaPath] ??= {};
    paths[oaPath]![doc.method] = {
      summary: doc.summary,
      tags: doc.tags,
      operationId: `${doc.method}${oaPath.replace(/[{}]/g, '').split('/').filter(Boolean).map((p) => p.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('')}`,
      security: doc.auth.kind === 'signed' ? [{ MyBnBSignature: [] }] : doc.auth.kind === 'stripe' ? [{ StripeSignature: [] }] : [],
      ...(doc.auth.kind === 'signed' ? { 'x-roles': rolesFor(doc) } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body ? { requestBody: { required: true, content: { [doc.body.contentType ?? 'application/json']: { schema: json(doc.body.schema, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'MyBnB Payments sidecar',
      version: info.version,
      description: 'Generated from the zod schemas the sidecar validates with (sidecar/src/http/openapi). Errors are application/problem+json with a stable `code`. Signing: docs/signing.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      schemas,
      securitySchemes: {
        MyBnBSignature: { type: 'apiKey', in: 'header', name: 'MyBnB-Signature', description: 'keyId=<id>,t=<unix seconds>,v1=<hex HMAC-SHA256> over the request (docs/signing.md)' },
        StripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature', description: 'Stripe webhook signature (t=…,v1=…) with a configured whsec_ secret' },
      },
    },
    paths,
  };
}
