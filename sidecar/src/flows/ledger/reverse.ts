import { DomainError } from '../../kernel/index.js';
import type { Db } from '../../db/connect.js';
import { postEntry, type PostResult } from './post-entry.js';
import { readEntry } from './read-entries.js';
import { KIND } from '../vocabulary.js';

/** A correction: a new entry with every line of the original on the other side. */
export async function reverseEntry(db: Db, input: { seq: number; idempotency_key: string; occurred_at: string; reason: string; meta?: Record<string, unknown> }): Promise<PostResult> {
  const original = await readEntry(db, { seq: input.seq });
  if (!original) throw new DomainError('reversal_target_missing', `entry ${input.seq} does not exist`);
  return postEntry(db, {
    idempotency_key: input.idempotency_key,
    kind: KIND.reversal,
    booking_id: original.booking_id,
    occurred_at: input.occurred_at,
    description: `Reverses entry ${original.seq}: ${input.reason}`,
    reverses_seq: original.seq,
    meta: input.meta ?? {},
    lines: original.lines.map((l) => ({ ...l, direction: l.direction === 'D' ? 'C' : 'D' })),
  });
}
