// Generates the published JSON Schemas of the outbound events (what MyBnB Payments POSTs to the
// booking engine's endpoints) from the zod schemas emitOutbound checks every event against
// (sidecar/src/flows/outbound/schemas.ts), so the two cannot drift:
//   node --import tsx scripts/gen-outbound-schemas.ts           writes schemas/outbound-events/*.json
//   node --import tsx scripts/gen-outbound-schemas.ts --check   exits 1 if the committed files differ
// sidecar/src/flows/outbound/schemas.test.ts runs the check in the test suite.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OUTBOUND_EVENT_TYPES } from '../sidecar/src/flows/outbound/catalogue.js';
import { OUTBOUND_DATA, OutboundEnvelopeSchema } from '../sidecar/src/flows/outbound/schemas.js';

export const OUTBOUND_SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'outbound-events');
const ID_BASE = 'https://mybnb.example/schemas/outbound-events/';
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export function generateOutboundSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  files['envelope.json'] = json({
    ...z.toJSONSchema(OutboundEnvelopeSchema),
    $id: `${ID_BASE}envelope.json`,
    title: 'Outbound event (envelope)',
    description: 'The JSON body POSTed to each endpoint, signed per the Standard Webhooks spec (webhook-id = id, webhook-timestamp, webhook-signature v1,<base64>). Dedupe by webhook-id; apply in seq order per booking (per host for host-only events). data is described by <type>.json.',
  });
  const env = OutboundEnvelopeSchema.shape;
  for (const type of OUTBOUND_EVENT_TYPES) {
    const event = z.strictObject({ id: env.id, type: z.literal(type), occurred_at: env.occurred_at, booking_id: env.booking_id, host_id: env.host_id, seq: env.seq, data: OUTBOUND_DATA[type] });
    files[`${type}.json`] = json({ ...z.toJSONSchema(event), $id: `${ID_BASE}${type}.json`, title: type, description: OUTBOUND_DATA[type].description ?? type });
  }
  files['index.json'] = json({ types: OUTBOUND_EVENT_TYPES, envelope: 'envelope.json', schemas: Object.fromEntries(OUTBOUND_EVENT_TYPES.map((t) => [t, `${t}.json`])) });
  return files;
}

export function outboundSchemaDifferences(dir = OUTBOUND_SCHEMA_DIR): string[] {
  const want = generateOutboundSchemas();
  let have: string[] = [];
  try {
    have = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    /* no directory yet */
  }
  const out: string[] = [];
  for (const [name, content] of Object.entries(want)) {
    let current: string | null = null;
    try {
      current = readFileSync(join(dir, name), 'utf8');
    } catch {
      /* missing */
    }
    if (current !== content) out.push(name);
  }
  for (const name of have) if (!(name in want)) out.push(name);
  return out.sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const diff = outboundSchemaDifferences();
    if (diff.length > 0) {
      process.stderr.write(`schemas/outbound-events is out of date (${diff.join(', ')}): run node --import tsx scripts/gen-outbound-schemas.ts\n`);
      process.exit(1);
    }
    process.stdout.write('schemas/outbound-events is up to date\n');
  } else {
    mkdirSync(OUTBOUND_SCHEMA_DIR, { recursive: true });
    const files = generateOutboundSchemas();
    for (const [name, content] of Object.entries(files)) writeFileSync(join(OUTBOUND_SCHEMA_DIR, name), content);
    process.stdout.write(`wrote ${Object.keys(files).length} files in schemas/outbound-events\n`);
  }
}
