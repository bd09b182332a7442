import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { differences, generateSchemas, SCHEMA_DIR } from '../../../scripts/gen-schemas.js';
import { BOOKING_EVENT_TYPES, parseBookingEvent } from './booking-events.js';

// The published JSON Schemas (schemas/booking-events) are what scripts/gen-schemas.ts makes from
// the zod schemas, and both say what the booking-engine contract says.
const CONTRACT = readFileSync(new URL('../../../docs/reference/booking-engine-contract.md', import.meta.url), 'utf8');

type JsonSchema = { properties: Record<string, JsonSchema & { default?: unknown; const?: unknown }>; required?: string[]; additionalProperties?: boolean };
const schemaOf = (type: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, `${type}.json`), 'utf8')) as JsonSchema & { $id: string; title: string };

/** The contract's fields of each type: [required, optional] (from its table; nested consent fields under `consent.`). */
const CONTRACT_FIELDS: Record<string, [string[], string[]]> = {
  'booking.confirmed': [['booking_id', 'listing_id', 'guest_id', 'host_id', 'check_in', 'check_out', 'time_zone', 'currency', 'nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes', 'cancellation_policy', 'payment_intent_id'], ['check_in_time']],
  'booking.modified': [['booking_id'], ['check_in', 'check_out', 'nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes']],
  'booking.cancel_requested': [['booking_id', 'by', 'consent', 'consent.outcome_hash', 'consent.actor', 'consent.consented_at'], ['reason']],
  'stay.checked_in': [['booking_id'], []],
  'stay.completed': [['booking_id'], []],
  'host.connected': [['host_id', 'stripe_account_id'], []],
  'clock.tick': [[], []],
  'subscription.cancel_requested': [['host_id', 'consent'], []],
  'subscription.change_requested': [['host_id', 'price', 'consent'], []],
  'money.retry_requested': [['intent_id'], []],
};

test('the committed schemas are exactly what the generator produces', () => {
  assert.deepEqual(differences(), [], 'run: node --import tsx scripts/gen-schemas.ts');
  const files = Object.keys(generateSchemas()).sort();
  assert.deepEqual(files, ['envelope.json', 'index.json', ...BOOKING_EVENT_TYPES.map((t) => `${t}.json`)].sort());
});

test('the check can fail: a changed, a missing and an extra file are each reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mybnb-schemas-'));
  try {
    cpSync(SCHEMA_DIR, dir, { recursive: true });
    assert.deepEqual(differences(dir), []);
    const file = join(dir, 'booking.confirmed.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"minimum": 0', '"minimum": 1'));
    unlinkSync(join(dir, 'clock.tick.json'));
    writeFileSync(join(dir, 'booking.deleted.json'), '{}\n');
    assert.deepEqual(differences(dir), ['booking.confirmed.json', 'booking.deleted.json', 'clock.tick.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every contract type and field is in the schemas, required exactly as the contract says', () => {
  assert.deepEqual([...BOOKING_EVENT_TYPES].sort(), Object.keys(CONTRACT_FIELDS).sort());
  for (const [type, [required, optional]] of Object.entries(CONTRACT_FIELDS)) {
    const row = CONTRACT.split('\n').find((l) => l.startsWith(`| \`${type}\``));
    assert.ok(row, `the contract lists ${type}`);
    for (const f of [...required, ...optional]) assert.ok(row.includes(f.replace(/^consent\./, '')), `the contract's ${type} row names ${f}`);

    const s = schemaOf(type);
    assert.equal(s.title, type);
    assert.ok(s.$id.endsWith(`/${type}.json`));
    assert.deepEqual(s.required, ['id', 'type', 'occurred_at', 'data']);
    assert.equal(s.properties.type!.const, type);
    assert.equal(s.additionalProperties, false);
    const data = s.properties.data!;
    assert.equal(data.additionalProperties, false, `${type}: unknown fields are refused`);
    const at = (path: string): [JsonSchema, string] => {
      const parts = path.split('.');
      let node = data;
      for (const p of parts.slice(0, -1)) node = node.properties[p]!;
      return [node, parts[parts.length - 1]!];
    };
    for (const f of required) {
      const [node, name] = at(f);
      assert.ok(node.properties[name], `${type}: ${f} is in the schema`);
      assert.ok(node.required?.includes(name), `${type}: ${f} is required`);
    }
    for (const f of optional) {
      const [node, name] = at(f);
      assert.ok(node.properties[name], `${type}: ${f} is in the schema`);
      assert.ok(!node.required?.includes(name), `${type}: ${f} is optional`);
    }
  }
  const confirmed = schemaOf('booking.confirmed').properties.data!;
  assert.equal(confirmed.properties.check_in_time!.default, '15:00', 'the contract default');
  for (const f of ['nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes']) {
    assert.equal((confirmed.properties[f] as unknown as { type: string; minimum: number }).type, 'integer');
    assert.equal((confirmed.properties[f] as unknown as { minimum: number }).minimum, 0);
  }
  assert.equal((confirmed.properties.check_in as unknown as { format: string }).format, 'date');
  assert.equal((schemaOf('clock.tick').properties.data as unknown as { properties?: object }).properties && Object.keys(schemaOf('clock.tick').properties.data!.properties).length, 0);
});

test('the patterns published for refinement-only fields agree with the validator on samples', () => {
  const s = schemaOf('booking.confirmed').properties.data!.properties;
  const pattern = (name: string) => new RegExp((s[name] as unknown as { pattern: string }).pattern);
  const occurred = new RegExp((schemaOf('clock.tick').properties.occurred_at as unknown as { pattern: string }).pattern);
  const base = { id: 'bev_p', type: 'clock.tick', data: {} };
  for (const v of ['2026-09-01T12:00:00Z', '2026-09-01T12:00:00.123Z', '2026-09-01T12:00:00+02:00', '2026-09-01 12:00:00Z', '2026-09-01']) {
    assert.equal(occurred.test(v), parseBookingEvent({ ...base, occurred_at: v }).ok, `occurred_at ${v}`);
  }
  const confirmed = (data: Record<string, unknown>) => parseBookingEvent({
    id: 'bev_p', type: 'booking.confirmed', occurred_at: '2026-09-01T10:00:00Z',
    data: { booking_id: 'bk_p', listing_id: 'l', guest_id: 'g', host_id: 'h', check_in: '2026-10-10', check_out: '2026-10-13', time_zone: 'Europe/Paris', currency: 'USD', nightly_total: 1, cleaning_fee: 0, guest_service_fee: 0, taxes: 0, cancellation_policy: 'moderate', payment_intent_id: 'pi_1', ...data },
  }).ok;
  assert.equal(confirmed({}), true);
  for (const v of ['15:00', '09:30', '00:00', '23:59', '24:00', '9:30', '15:60', '15:00:00']) assert.equal(pattern('check_in_time').test(v), confirmed({ check_in_time: v }), `check_in_time ${v}`);
  // a date pattern is necessary, not sufficient (2026-02-30 matches it; the validator refuses it)
  for (const v of ['2026-10-01', '2026-02-30', '2026-1-10', '26-10-10', '2026-10-10T00:00:00Z']) {
    if (!pattern('check_in').test(v)) assert.equal(confirmed({ check_in: v, check_out: '2026-10-13' }), false, `check_in ${v}`);
  }
  assert.equal(confirmed({ check_in: '2026-10-01' }), true);
  assert.equal(confirmed({ check_in: '2026-02-30' }), false);
});
