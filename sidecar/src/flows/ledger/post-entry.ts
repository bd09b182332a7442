import type { Db } from '../../db/connect.js';
import { postEntries } from './post-entries.js';
import type { JournalEntryRequest } from './types.js';
import type { PostResult } from './entry-checks.js';

export { MAX_LINES_PER_ENTRY, MAX_CHAIN_RETRIES, normalizeInstant, type PostResult } from './entry-checks.js';

/**
 * Posts one balanced journal entry, or returns the entry already posted under the same
 * idempotency key: `postEntries` with a batch of one (the ledger has one posting path). Validation
 * happens before anything is written, so a refused entry writes nothing.
 */
export async function postEntry(db: Db, request: JournalEntryRequest): Promise<PostResult> {
  return (await postEntries(db, [request]))[0]!;
}
