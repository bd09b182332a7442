import { z } from 'zod';
import type { RouteDoc } from './registry.js';

export const opsDocs: RouteDoc[] = [
  {
    method: 'get', path: '/healthz', summary: 'The process is up (no dependency checked)', tags: ['operations'], auth: { kind: 'none' },
    responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }) } },
  },
  {
    method: 'get', path: '/readyz', summary: 'Ready for traffic: database reachable, no migration pending, dispatch lag within READY_MAX_DISPATCH_LAG_S', tags: ['operations'], auth: { kind: 'none' },
    responses: { 200: { description: 'ready', schema: z.object({ status: z.literal('ready'), backlog: z.number().int().min(0), lag_s: z.number().min(0) }) } },
    problems: ['not_ready', 'schema_behind'],
  },
  {
    method: 'get', path: '/metrics', summary: 'Prometheus metrics (signed; unsigned only on METRICS_PORT at 127.0.0.1)', tags: ['operations'], auth: { kind: 'signed' },
    responses: { 200: { description: 'text exposition format', schema: z.string(), contentType: 'text/plain' } },
  },
  {
    method: 'get', path: '/openapi.json', summary: 'This document', tags: ['operations'], auth: { kind: 'none' },
    responses: { 200: { description: 'OpenAPI 3.1', schema: z.object({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }).loose() } },
  },
];
