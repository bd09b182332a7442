import { checkAmountMinor, DomainError, isIsoUtc } from '../../kernel/index.js';
import type { Account, JournalEntry, JournalEntryRequest } from './types.js';

/** Checks shared by postEntry and postEntries: the same rules, the same errors, in the same order. */

export const MAX_LINES_PER_ENTRY = 64;
/** How often a post is retried when another writer took the next seq first. */
export const MAX_CHAIN_RETRIES = 8;

export type PostResult = { entry: JournalEntry; replayed: boolean };

export function validateShape(req: JournalEntryRequest): void {
  if (typeof req.idempotency_key !== 'string' || req.idempotency_key.length === 0 || req.idempotency_key.length > 191) {
    throw new DomainError('validation_failed', 'idempotency_key must be 1..191 characters');
  }
  if (!isIsoUtc(req.occurred_at)) throw new DomainError('validation_failed', 'occurred_at must be ISO 8601 UTC');
  if (!Array.isArray(req.lines) || req.lines.length < 2) throw new DomainError('empty_entry', 'an entry needs at least two lines');
  if (req.lines.length > MAX_LINES_PER_ENTRY) throw new DomainError('validation_failed', `an entry has at most ${MAX_LINES_PER_ENTRY} lines`);
  for (const [i, line] of req.lines.entries()) {
    if (line.direction !== 'D' && line.direction !== 'C') throw new DomainError('validation_failed', `line ${i + 1}: direction must be D or C`);
    checkAmountMinor(line.amount_minor, `line ${i + 1}`);
  }
}

/** Every line names an open account in the line's unit. */
export function checkAccounts(req: JournalEntryRequest, accounts: Map<string, Account>): void {
  for (const line of req.lines) {
    const account = accounts.get(line.account);
    if (!account) throw new DomainError('unknown_account', `account ${line.account} does not exist`, { account: line.account });
    if (account.unit !== line.unit) {
      throw new DomainError('currency_mismatch', `account ${line.account} is in ${account.unit}, line is in ${line.unit}`, { account: line.account });
    }
  }
}

export function checkBalanced(req: JournalEntryRequest): void {
  const net = new Map<string, bigint>();
  for (const l of req.lines) {
    const signed = BigInt(l.amount_minor) * (l.direction === 'D' ? 1n : -1n);
    net.set(l.unit, (net.get(l.unit) ?? 0n) + signed);
  }
  for (const [unit, sum] of net) {
    if (sum !== 0n) throw new DomainError('unbalanced_entry', `debits and credits differ by ${sum} in ${unit}`, { unit, difference_minor: sum.toString() });
  }
}

export function replayOrConflict(existing: JournalEntry, content_hash: string, key: string): PostResult {
  if (existing.content_hash !== content_hash) {
    throw new DomainError('idempotency_conflict', `idempotency key ${key} was used for a different entry`, { idempotency_key: key, seq: existing.seq });
  }
  return { entry: existing, replayed: true };
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`: the stored form of every entry's event time. */
export function normalizeInstant(iso: string): string {
  return new Date(Date.parse(iso)).toISOString();
}

/** The row journal_entries stores for an entry (meta as its canonical JSON text). */
export function entryRow(e: JournalEntry, metaText: string): unknown[] {
  return [e.seq, e.idempotency_key, e.content_hash, e.kind, e.booking_id, e.occurred_at, e.description, e.reverses_seq, metaText, e.prev_hash, e.entry_hash];
}
export const ENTRY_COLUMNS = ['seq', 'idempotency_key', 'content_hash', 'kind', 'booking_id', 'occurred_at', 'description', 'reverses_seq', 'meta', 'prev_hash', 'entry_hash'];
export const LINE_COLUMNS = ['entry_seq', 'line_no', 'account_code', 'unit', 'direction', 'amount_minor'];
