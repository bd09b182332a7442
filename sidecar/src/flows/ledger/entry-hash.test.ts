import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hashOf } from '../../kernel/index.js';
import { contentHashOf, entryHashOf, hashesOf } from './entry-hash.js';
import type { JournalEntry, JournalEntryRequest, JournalLine } from './types.js';

// The reference: the kernel's generic RFC 8785 hash of the objects the ledger hashes. The fast
// serialiser in entry-hash.ts must give the same bytes for every input, or throw where it throws.
function referenceContentHash(req: JournalEntryRequest): string {
  return hashOf({
    kind: req.kind, booking_id: req.booking_id, occurred_at: req.occurred_at, description: req.description,
    reverses_seq: req.reverses_seq ?? null, meta: req.meta ?? {}, lines: req.lines.map(lineOf),
  });
}
function referenceEntryHash(e: Omit<JournalEntry, 'entry_hash'>): string {
  return hashOf({
    seq: e.seq, idempotency_key: e.idempotency_key, content_hash: e.content_hash, kind: e.kind, booking_id: e.booking_id,
    occurred_at: e.occurred_at, description: e.description, reverses_seq: e.reverses_seq, meta: e.meta, lines: e.lines.map(lineOf), prev_hash: e.prev_hash,
  });
}
function lineOf(l: JournalLine) {
  return { account: l.account, unit: l.unit, direction: l.direction, amount_minor: l.amount_minor };
}

function sameOutcome(fast: () => string, reference: () => string): void {
  let expected: string | Error;
  try {
    expected = reference();
  } catch (e) {
    expected = e as Error;
  }
  if (expected instanceof Error) assert.throws(fast);
  else assert.equal(fast(), expected);
}

// Strings of every kind: plain ASCII, any Unicode, escapes and controls, lone surrogates.
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '"', '\\', '\n\t\u0000\u001f\u007f', '\u2028\u2029', 'é', '😀', '\uD800', 'a\uDC00b', '\uDBFF\uDFFF'),
);
const anyNumber = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.constantFrom(0, -0, 1e15, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e21, 0.5, -3),
  fc.double(),
);
const maybeOdd = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: fc.constantFrom(undefined, 7, true, {}) as fc.Arbitrary<never> });
const line = fc.record({
  account: maybeOdd(anyString),
  unit: maybeOdd(anyString),
  direction: maybeOdd(fc.constantFrom('D', 'C')),
  amount_minor: maybeOdd(anyNumber),
}) as fc.Arbitrary<JournalLine>;
const meta = fc.oneof(fc.constant({}), fc.dictionary(anyString, fc.jsonValue()), fc.record({ event_id: anyString, n: anyNumber })) as fc.Arbitrary<Record<string, unknown>>;
const request = fc.record({
  idempotency_key: anyString,
  kind: maybeOdd(anyString),
  booking_id: maybeOdd(fc.option(anyString, { nil: null })),
  occurred_at: maybeOdd(anyString),
  description: maybeOdd(anyString),
  lines: fc.array(line, { maxLength: 6 }),
  reverses_seq: fc.option(maybeOdd(fc.integer({ min: 1 })), { nil: null }),
  meta: fc.option(meta, { nil: undefined }),
}) as fc.Arbitrary<JournalEntryRequest>;

test('contentHashOf hashes exactly the kernel canonical JSON of the request', () => {
  fc.assert(fc.property(request, (req) => sameOutcome(() => contentHashOf(req), () => referenceContentHash(req))), { numRuns: 3000 });
});

test('entryHashOf hashes exactly the kernel canonical JSON of the entry', () => {
  const entry = fc.record({
    req: request,
    seq: maybeOdd(fc.integer({ min: 1 })),
    content_hash: maybeOdd(anyString),
    prev_hash: maybeOdd(anyString),
    reverses_seq: maybeOdd(fc.option(fc.integer({ min: 1 }), { nil: null })),
    meta: maybeOdd(meta),
  });
  fc.assert(
    fc.property(entry, ({ req, seq, content_hash, prev_hash, reverses_seq, meta: m }) => {
      const e = { ...req, seq, content_hash, prev_hash, reverses_seq, meta: m } as Omit<JournalEntry, 'entry_hash'>;
      sameOutcome(() => entryHashOf(e), () => referenceEntryHash(e));
      // verifyLedger's combined form gives the same two hashes
      sameOutcome(
        () => JSON.stringify(hashesOf(e)),
        () => JSON.stringify({ content_hash: referenceContentHash(e as unknown as JournalEntryRequest), entry_hash: referenceEntryHash(e) }),
      );
    }),
    { numRuns: 3000 },
  );
});

test('a known entry keeps its hashes (vectors computed with the generic serialiser before the fast path existed)', () => {
  const req: JournalEntryRequest = {
    idempotency_key: 'pay-1', kind: 'payment_received', booking_id: 'bk_1', occurred_at: '2026-09-01T12:00:00Z', description: 'Guest payment — é 😀',
    meta: { z: 1, a: [true, null, 'x'] },
    lines: [
      { account: 'platform:stripe_balance:USD', unit: 'USD', direction: 'D', amount_minor: 30_000 },
      { account: 'booking:bk_1:host_share:USD', unit: 'USD', direction: 'C', amount_minor: 30_000 },
    ],
  };
  const content_hash = contentHashOf(req);
  assert.equal(content_hash, 'sha256:109d75afb9a03a0919e03b9eeba419939d89d80ac45014a71fb67598de1ca81e');
  const e = { ...req, seq: 1, content_hash, reverses_seq: null, meta: req.meta!, prev_hash: `sha256:${'0'.repeat(64)}` };
  assert.equal(entryHashOf(e), 'sha256:cbff9ab044c6265cd738d27450ef7697d152450cea246ad83a1ccea07e4aa987');
});
