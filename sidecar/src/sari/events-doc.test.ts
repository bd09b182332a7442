import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_STATUS } from '../kernel/index.js';
import { HANDLERS } from '../pipeline/handlers/index.js';
import { BOOKING_EVENT_TYPES, parseBookingEvent } from './booking-events.js';
import { generateSchemas } from '../../../scripts/gen-schemas.js';

// docs/events.md is the booking engine's reference: it must say what the code does.
const DOC = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');

function section(type: string): string {
  const start = DOC.indexOf(`### \`${type}\``);
  assert.ok(start >= 0, `docs/events.md has a section for ${type}`);
  const next = DOC.indexOf('\n#', start + 5);
  return DOC.slice(start, next < 0 ? undefined : next);
}

function jsonBlocks(text: string): unknown[] {
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
}

test('every event type has a section whose table lists exactly the fields of its schema, and a valid example', () => {
  const schemas = generateSchemas();
  for (const type of BOOKING_EVENT_TYPES) {
    const sec = section(type);
    const data = (JSON.parse(schemas[`${type}.json`]!) as { properties: { data: { properties: Record<string, { properties?: Record<string, unknown> }>; required?: string[] } } }).properties.data;
    const fields = Object.entries(data.properties).flatMap(([k, v]) => [k, ...Object.keys(v.properties ?? {}).map((n) => `${k}.${n}`)]);
    const documented = [...sec.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]!);
    assert.deepEqual([...documented].sort(), [...fields].sort(), `${type}: the table rows are the schema's fields`);
    for (const row of sec.split('\n').filter((l) => /^\| `[a-z_]+` \| \w+ \| (yes|no) \|/.test(l))) {
      const [, name, , req] = /^\| `([a-z_]+)` \| (\w+) \| (yes|no) \|/.exec(row)!;
      assert.equal(req === 'yes', data.required?.includes(name!) ?? false, `${type}.${name}: required column`);
    }
    const examples = jsonBlocks(sec);
    assert.ok(examples.length >= 1, `${type} has an example`);
    for (const e of examples) {
      const parsed = parseBookingEvent(e);
      assert.ok(parsed.ok, `${type} example: ${JSON.stringify(parsed)}`);
      assert.equal((e as { type: string }).type, type);
    }
  }
});

test('every code in the answer tables exists with the status the table gives', () => {
  const rows = [...DOC.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)];
  assert.ok(rows.length >= 13);
  for (const [, status, code] of rows) {
    assert.ok(code! in ERROR_STATUS, `${code} is a real error code`);
    assert.equal(ERROR_STATUS[code as keyof typeof ERROR_STATUS], Number(status), `${code} answers ${status}`);
  }
  for (const code of ['signature_invalid', 'forbidden_role', 'event_from_future', 'rate_limited', 'overloaded', 'unsupported_media_type', 'invalid_json', 'json_too_deep', 'validation_failed', 'unknown_policy', 'idempotency_conflict', 'body_too_large']) {
    assert.ok(rows.some((r) => r[2] === code), `the booking answers table lists ${code}`);
  }
  assert.match(DOC, /\*\*202\*\*/);
  assert.match(DOC, /\*\*200\*\*/);
  assert.match(DOC, /Retry-After/);
});

test('every Stripe event type with a handler is documented, and so is every inbox status', () => {
  const stripeTypes = Object.keys(HANDLERS).filter((k) => k.startsWith('stripe:')).map((k) => k.slice('stripe:'.length));
  assert.ok(stripeTypes.length >= 10);
  for (const t of stripeTypes) assert.ok(DOC.includes(`\`${t}\``), `docs/events.md documents ${t}`);
  for (const s of ['received', 'processed', 'parked', 'dead_lettered', 'ignored']) assert.ok(DOC.includes(`| \`${s}\` |`), `status ${s}`);
});
