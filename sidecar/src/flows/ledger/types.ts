import type { AccountType, EntryKind } from '../vocabulary.js';

export type { AccountType, EntryKind } from '../vocabulary.js';
export const ACCOUNT_TYPES: readonly AccountType[] = ['asset', 'liability', 'revenue', 'expense', 'equity'];

export type Direction = 'D' | 'C';

export type Account = { code: string; type: AccountType; unit: string; name: string };

export type JournalLine = { account: string; unit: string; direction: Direction; amount_minor: number };

/** What a caller asks the ledger to post. Everything here is hashed; nothing here is wall-clock. */
export type JournalEntryRequest = {
  idempotency_key: string;
  kind: EntryKind;
  booking_id: string | null;
  occurred_at: string; // ISO UTC, from the event that caused the entry
  description: string;
  lines: JournalLine[];
  reverses_seq?: number | null;
  meta?: Record<string, unknown>;
};

export type JournalEntry = {
  seq: number;
  idempotency_key: string;
  content_hash: string;
  kind: EntryKind;
  booking_id: string | null;
  occurred_at: string;
  description: string;
  reverses_seq: number | null;
  meta: Record<string, unknown>;
  lines: JournalLine[];
  prev_hash: string;
  entry_hash: string;
};

/** Debit-normal types grow with debits; the others grow with credits. */
export function isDebitNormal(type: AccountType): boolean {
  return type === 'asset' || type === 'expense';
}

export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;
