import fc from 'fast-check';
import type { Db } from '../db/connect.js';
import { toInt } from '../db/connect.js';
import { listTables, MUTABLE_TABLES } from '../db/tables.js';

/**
 * Generators of hostile input for the HTTP edge, shared by the fuzz properties. Each generator
 * yields something the edge must refuse; none depends on Math.random (fast-check's seeded PRNG only).
 */

/**
 * Row counts of every table: "nothing written" means all equal. Left out: knex's lock flag and the
 * dispatch lease, whose holder appends a renewal on a timer whatever the requests are.
 */
const TIME_DRIVEN_TABLES = ['dispatch_lease'];
export async function allRowCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of await listTables(db)) {
    if (MUTABLE_TABLES.includes(table) || TIME_DRIVEN_TABLES.includes(table)) continue;
    out[table] = toInt((await db(table).count({ n: '*' }).first())?.n);
  }
  return out;
}

const SQL_META = ["' OR '1'='1", '"; DROP TABLE journal_entries; --', '`', '\\', "%' --", '/*', '*/', ';', '\u0000', 'UNION SELECT 1'];
const WEIRD_CHARS = ['\u0000', '\u0007', '\n', '\r', '\t', '\u202e', '\u200b', '\ud83d\ude00', 'é', '\uffff', '%00', '../', '/', ' ', '<script>', '"', "'"];

/** An id that the safe charset (letters, digits, _ . : -) must refuse: it contains at least one bad character. */
export const hostileId: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...SQL_META, ...WEIRD_CHARS), fc.string({ unit: 'grapheme', maxLength: 8 }))
  .map(([a, bad, b]) => `${a.replace(/[^A-Za-z0-9]/g, '')}${bad}${b}`);

/** An amount no minor-unit field may take. */
export const hostileAmount: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom(2 ** 63, -(2 ** 63), 2 ** 53, 1e15, 1e300, '100', '1e3', null, true, [], {}, '9223372036854775808'),
);

/** A currency the schema must refuse (wrong case, length, charset or type). */
export const hostileCurrency: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('usd', 'US', 'USDD', '', 'U$D', '123', 'ÜSD', 840, null, ['USD'], { code: 'USD' }),
  fc.string({ maxLength: 6 }).filter((s) => !/^[A-Z]{3}$/.test(s)),
);

/** A valid booking.confirmed, the base that one hostile mutation spoils. */
export function validConfirmed(id: string) {
  return {
    id, type: 'booking.confirmed', occurred_at: '2026-09-01T10:00:00Z',
    data: {
      booking_id: `bk_${id}`, listing_id: 'lst_1', guest_id: 'guest_1', host_id: 'host_1', check_in: '2026-10-10', check_out: '2026-10-13',
      check_in_time: '15:00', time_zone: 'Europe/Paris', currency: 'USD', nightly_total: 30000, cleaning_fee: 5000,
      guest_service_fee: 4200, taxes: 3000, cancellation_policy: 'moderate', payment_intent_id: `pi_${id.replace(/[^A-Za-z0-9_]/g, '')}`,
    },
  } as Record<string, unknown> & { data: Record<string, unknown> };
}

const AMOUNT_FIELDS = ['nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes'];

/** A booking-engine event body that must be refused: one field spoiled, or the JSON itself broken. */
export const hostileBookingBody: fc.Arbitrary<{ why: string; body: string }> = fc.oneof(
  hostileId.map((bad) => ({ why: 'hostile booking_id', body: JSON.stringify({ ...validConfirmed('evt_fz'), data: { ...validConfirmed('evt_fz').data, booking_id: bad } }) })),
  hostileId.map((bad) => ({ why: 'hostile event id', body: JSON.stringify({ ...validConfirmed('evt_fz'), id: bad }) })),
  hostileId.map((bad) => ({ why: 'hostile host_id', body: JSON.stringify({ ...validConfirmed('evt_fz'), data: { ...validConfirmed('evt_fz').data, host_id: bad } }) })),
  fc.tuple(fc.constantFrom(...AMOUNT_FIELDS), hostileAmount).map(([field, amount]) => ({ why: `${field}=${String(amount)}`, body: JSON.stringify({ ...validConfirmed('evt_fz'), data: { ...validConfirmed('evt_fz').data, [field]: amount } }) })),
  hostileCurrency.map((c) => ({ why: `currency=${String(c)}`, body: JSON.stringify({ ...validConfirmed('evt_fz'), data: { ...validConfirmed('evt_fz').data, currency: c } }) })),
  // wrong types anywhere in the envelope or the data
  fc.tuple(fc.constantFrom('id', 'type', 'occurred_at', 'data'), fc.constantFrom(null, 1, 1.5, true, [], {}, 'x', '')).map(([k, v]) => ({ why: `${k} wrong type`, body: JSON.stringify({ ...validConfirmed('evt_fz'), [k]: v }) })),
  fc.tuple(fc.constantFrom('check_in', 'check_out', 'time_zone', 'check_in_time', 'cancellation_policy', 'payment_intent_id'), fc.constantFrom(null, 1, [], {}, '', '2026-13-45', 'Mars/Olympus', '25:99', "moderate'; --", 'pi_')).map(([k, v]) => ({ why: `${k}=${JSON.stringify(v)}`, body: JSON.stringify({ ...validConfirmed('evt_fz'), data: { ...validConfirmed('evt_fz').data, [k]: v } }) })),
  // extra and unknown fields, unknown event types
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in validConfirmed('x').data)).map((k) => ({ why: `extra field ${k}`, body: JSON.stringify({ ...validConfirmed('evt_fz'), data: { ...validConfirmed('evt_fz').data, [k]: 1 } }) })),
  fc.string({ maxLength: 20 }).map((t) => ({ why: `type ${t}`, body: JSON.stringify({ ...validConfirmed('evt_fz'), type: `x.${t}` }) })),
  // malformed and truncated JSON
  fc.integer({ min: 0, max: 400 }).map((n) => {
    const full = JSON.stringify(validConfirmed('evt_fz'));
    return { why: `truncated at ${n}`, body: full.slice(0, Math.min(n, full.length - 1)) };
  }),
  fc.string({ maxLength: 200 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }).map((s) => ({ why: 'garbage', body: s })),
  fc.constantFrom('null', '[]', '1', '"x"', 'true', '{}', '[{}]').map((s) => ({ why: `json ${s}`, body: s })),
  // deeply nested
  fc.integer({ min: 17, max: 5000 }).map((d) => ({ why: `depth ${d}`, body: JSON.stringify({ ...validConfirmed('evt_fz'), data: 'X' }).replace('"X"', '['.repeat(d) + ']'.repeat(d)) })),
);

/** A huge body: past the byte limit, or many fields below it. */
export const hugeBody: fc.Arbitrary<{ why: string; body: string }> = fc.oneof(
  fc.integer({ min: 256 * 1024 + 1, max: 2 * 1024 * 1024 }).map((n) => ({ why: `${n} bytes`, body: `{"id":"${'a'.repeat(n)}"}` })),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => {
    const data: Record<string, number> = {};
    for (let i = 0; i < n; i++) data[`f${i}`] = i;
    return { why: `${n} fields`, body: JSON.stringify({ ...validConfirmed('evt_fz'), data }) };
  }),
);

export const ALLOWED_4XX = new Set([400, 401, 403, 404, 405, 409, 413, 415, 422, 429]);
