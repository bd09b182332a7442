import { opsDocs } from './ops.js';
import { ingestDocs } from './ingest.js';
import { readDocs } from './reads.js';
import { moreDocs } from './more.js';
import { moneyTruthDocs } from './money-truth.js';
import type { RouteDoc } from './registry.js';
import { buildOpenApi } from './openapi.js';

/** Every described route. A new area: add its file here (one line). */
export const API_ROUTES: RouteDoc[] = [
  ...opsDocs,
  ...ingestDocs,
  ...readDocs,
  ...moreDocs,
  ...moneyTruthDocs,
];

let cached: Record<string, unknown> | null = null;

/** The OpenAPI document served at /openapi.json and committed as docs/openapi.json. */
export function openApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApi(API_ROUTES, { version: '1' });
  return cached;
}
