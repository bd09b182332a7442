import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOutboundSchemas, OUTBOUND_SCHEMA_DIR, outboundSchemaDifferences } from '../../../../scripts/gen-outbound-schemas.js';
import { OUTBOUND_EVENT_TYPES } from './catalogue.js';

// The published schemas (schemas/outbound-events) are what the generator makes from the zod
// schemas every emitted event is checked against, and the catalogue is the contract's list.
const CONTRACT = readFileSync(new URL('../../../../docs/reference/booking-engine-contract.md', import.meta.url), 'utf8');
const EVENTS_DOC = readFileSync(new URL('../../../../docs/events.md', import.meta.url), 'utf8');

test('the committed outbound schemas are exactly what the generator produces', () => {
  assert.deepEqual(outboundSchemaDifferences(), [], 'run: node --import tsx scripts/gen-outbound-schemas.ts');
  assert.deepEqual(Object.keys(generateOutboundSchemas()).sort(), ['envelope.json', 'index.json', ...OUTBOUND_EVENT_TYPES.map((t) => `${t}.json`)].sort());
});

test('the catalogue is the contract\'s list of outbound types, each documented, each schema requiring ids, amount, currency, rule and entries', () => {
  const section = CONTRACT.slice(CONTRACT.indexOf('**Outbound events**'));
  const listed = [...section.slice(section.indexOf('- Types:'), section.indexOf('- Endpoints')).matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]);
  assert.deepEqual([...OUTBOUND_EVENT_TYPES].sort(), [...new Set(listed)].sort());
  for (const type of OUTBOUND_EVENT_TYPES) {
    assert.ok(EVENTS_DOC.includes(`\`${type}\``), `docs/events.md documents ${type}`);
    const schema = JSON.parse(readFileSync(join(OUTBOUND_SCHEMA_DIR, `${type}.json`), 'utf8')) as { required: string[]; properties: { data: { required: string[]; additionalProperties: boolean } } };
    assert.deepEqual(schema.required.sort(), ['data', 'id', 'occurred_at', 'seq', 'type']);
    for (const f of ['amount_minor', 'currency', 'rule', 'decision_id', 'entry_ids']) assert.ok(schema.properties.data.required.includes(f), `${type} requires ${f}`);
    assert.equal(schema.properties.data.additionalProperties, false);
  }
});
