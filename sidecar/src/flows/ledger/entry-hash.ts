import * as crypto from 'node:crypto';
import { canonicalJson, hashOf, sha256Hex, type Sha256Hash } from '../../kernel/canonical.js';
import type { JournalEntry, JournalEntryRequest, JournalLine } from './types.js';

/** The request as the ledger understands it: what an idempotency key is bound to. */
export function contentHashOf(req: JournalEntryRequest): Sha256Hash {
  const fast = contentJson(req, linesJson(req.lines), metaJson(req.meta ?? {}));
  if (fast !== undefined) return sha256Of(fast);
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

/** The entry a request becomes at position `seq` after `prev_hash`: everything but its own hash. */
export function entryFromRequest(req: JournalEntryRequest, content_hash: string, seq: number, prev_hash: string): Omit<JournalEntry, 'entry_hash'> {
  return {
    seq,
    idempotency_key: req.idempotency_key,
    content_hash,
    kind: req.kind,
    booking_id: req.booking_id,
    occurred_at: req.occurred_at,
    description: req.description,
    reverses_seq: req.reverses_seq ?? null,
    meta: req.meta ?? {},
    lines: req.lines.map(canonicalLine),
    prev_hash,
  };
}

/** Canonical form of a stored entry, chained to the previous entry's hash. */
export function entryHashOf(e: Omit<JournalEntry, 'entry_hash'>): Sha256Hash {
  const fast = entryJson(e, linesJson(e.lines), metaJson(e.meta));
  if (fast !== undefined) return sha256Of(fast);
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

/**
 * Both hashes of a stored entry, as verifyLedger recomputes them: the same values as
 * contentHashOf(entry) and entryHashOf(entry), with the lines and meta serialised once.
 */
export function hashesOf(e: Omit<JournalEntry, 'entry_hash'>): { content_hash: Sha256Hash; entry_hash: Sha256Hash } {
  const lines = linesJson(e.lines);
  const meta = metaJson(e.meta);
  const content = contentJson(e, lines, e.meta == null ? '{}' : meta); // the request's meta defaults to {}
  const entry = entryJson(e, lines, meta);
  return {
    content_hash: content !== undefined ? sha256Of(content) : contentHashOf(e),
    entry_hash: entry !== undefined ? sha256Of(entry) : entryHashOf(e),
  };
}

/**
 * For posting: the content hash of a request, with the serialised lines and meta kept so the entry
 * hash (once the chain position is known) and the stored meta text need not serialise them again.
 * Same values as contentHashOf / entryHashOf / canonicalJson(meta).
 */
export type SerialisedParts = { lines: string | undefined; meta: string | undefined };

export function contentHashWithParts(req: JournalEntryRequest): { content_hash: Sha256Hash; parts: SerialisedParts } {
  const parts = { lines: linesJson(req.lines), meta: metaJson(req.meta ?? {}) };
  const fast = contentJson(req, parts.lines, parts.meta);
  return { content_hash: fast !== undefined ? sha256Of(fast) : contentHashOf(req), parts };
}

/** entryHashOf(e), reusing the parts of the request e was built from (its lines and meta, unchanged). */
export function entryHashWithParts(e: Omit<JournalEntry, 'entry_hash'>, parts: SerialisedParts): Sha256Hash {
  const fast = entryJson(e, parts.lines, parts.meta);
  return fast !== undefined ? sha256Of(fast) : entryHashOf(e);
}

/** The stored meta text: canonical JSON of the entry's meta. */
export function metaTextOf(meta: Record<string, unknown>, parts: SerialisedParts): string {
  return parts.meta ?? canonicalJson(meta);
}

/*
 * Fast path. The generic RFC 8785 serialiser (kernel canonicalJson) walks every value, sorts keys
 * and checks every string for lone surrogates; on the ledger's hot paths (postEntry, verifyLedger)
 * it was the largest cost. The shapes hashed here are fixed, so their keys are written below in
 * RFC 8785 order (UTF-16 code-unit order; entry-hash.test.ts proves the bytes equal) and only the values are serialised:
 * strings without surrogates and safe integers have exactly one canonical form, JSON.stringify's.
 * Anything else (a surrogate, a non-integer number, a missing field, an odd type) returns undefined
 * and the caller takes the generic path, so the bytes hashed are the kernel's in every case.
 * `meta` is free-form and always goes through the kernel.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

// One-shot crypto.hash (Node >= 20.12) is about twice as fast as createHash for short inputs; same digest.
const sha256Of: (text: string) => Sha256Hash = typeof crypto.hash === 'function'
  ? (text) => `sha256:${crypto.hash('sha256', text, 'hex')}`
  : (text) => `sha256:${sha256Hex(text)}`;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && !SURROGATE.test(v) ? JSON.stringify(v) : undefined;
}

function int(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) ? JSON.stringify(v) : undefined;
}

function strOrNull(v: unknown): string | undefined {
  return v === null ? 'null' : str(v);
}

function intOrNull(v: unknown): string | undefined {
  return v === null ? 'null' : int(v);
}

function metaJson(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? canonicalJson(v) : undefined;
}

function linesJson(lines: unknown): string | undefined {
  if (!Array.isArray(lines)) return undefined;
  let out = '[';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as JournalLine | null | undefined;
    if (typeof l !== 'object' || l === null) return undefined;
    const account = str(l.account);
    const amount = int(l.amount_minor);
    const direction = str(l.direction);
    const unit = str(l.unit);
    if (account === undefined || amount === undefined || direction === undefined || unit === undefined) return undefined;
    out += `${i === 0 ? '' : ','}{"account":${account},"amount_minor":${amount},"direction":${direction},"unit":${unit}}`;
  }
  return `${out}]`;
}

function contentJson(req: JournalEntryRequest, lines: string | undefined, meta: string | undefined): string | undefined {
  const booking_id = strOrNull(req.booking_id);
  const description = str(req.description);
  const kind = str(req.kind);
  const occurred_at = str(req.occurred_at);
  const reverses_seq = intOrNull(req.reverses_seq ?? null);
  if (booking_id === undefined || description === undefined || kind === undefined || lines === undefined || meta === undefined
    || occurred_at === undefined || reverses_seq === undefined) return undefined;
  return `{"booking_id":${booking_id},"description":${description},"kind":${kind},"lines":${lines},"meta":${meta},"occurred_at":${occurred_at},"reverses_seq":${reverses_seq}}`;
}

function entryJson(e: Omit<JournalEntry, 'entry_hash'>, lines: string | undefined, meta: string | undefined): string | undefined {
  const booking_id = strOrNull(e.booking_id);
  const content_hash = str(e.content_hash);
  const description = str(e.description);
  const idempotency_key = str(e.idempotency_key);
  const kind = str(e.kind);
  const occurred_at = str(e.occurred_at);
  const prev_hash = str(e.prev_hash);
  const reverses_seq = intOrNull(e.reverses_seq);
  const seq = int(e.seq);
  if (booking_id === undefined || content_hash === undefined || description === undefined || idempotency_key === undefined
    || kind === undefined || lines === undefined || meta === undefined || occurred_at === undefined || prev_hash === undefined
    || reverses_seq === undefined || seq === undefined) return undefined;
  return `{"booking_id":${booking_id},"content_hash":${content_hash},"description":${description},"idempotency_key":${idempotency_key},`
    + `"kind":${kind},"lines":${lines},"meta":${meta},"occurred_at":${occurred_at},"prev_hash":${prev_hash},"reverses_seq":${reverses_seq},"seq":${seq}}`;
}
