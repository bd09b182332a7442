import { hashOf, type Sha256Hash } from '../../kernel/index.js';
import type { JournalEntry, JournalEntryRequest, JournalLine } from './types.js';

/** The request as the ledger understands it: what an idempotency key is bound to. */
export function contentHashOf(req: JournalEntryRequest): Sha256Hash {
  return hashOf({
    kind: req.kind,
    booking_id: req.booking_id,
    occurred_at: req.occurred_at,
    description: req.description,
    reverses_seq: req.reverses_seq ?? null,
    meta: req.meta ?? {},
    lines: req.lines.map(canonicalLine),
  });
}

function canonicalLine(l: JournalLine) {
  return { account: l.account, unit: l.unit, direction: l.direction, amount_minor: l.amount_minor };
}

/** Canonical form of a stored entry, chained to the previous entry's hash. */
export function entryHashOf(e: Omit<JournalEntry, 'entry_hash'>): Sha256Hash {
  return hashOf({
    seq: e.seq,
    idempotency_key: e.idempotency_key,
    content_hash: e.content_hash,
    kind: e.kind,
    booking_id: e.booking_id,
    occurred_at: e.occurred_at,
    description: e.description,
    reverses_seq: e.reverses_seq,
    meta: e.meta,
    lines: e.lines.map(canonicalLine),
    prev_hash: e.prev_hash,
  });
}
