import { formatIsoUtc } from '../kernel/index.js';
import type { InboxStore } from './ingest.js';
import type { StoreResult } from './inbox.js';

export type AttemptFailedPayload = {
  intent_id: string; attempt: number; round_ended: boolean; http_status: number | null; error_code: string | null;
  error_message: string | null; request_id: string | null; transport_retryable: boolean;
};

/**
 * A failed outbound attempt, logged like an object Stripe returned (source `stripe_api`, type
 * `outbox.attempt_failed`, id `attempt:<intent>:<n>`), so the retry schedule decides from the log
 * alone and replay decides the same. Its time is when the call was made.
 */
export async function ingestOutboxFailure(store: InboxStore, a: AttemptFailedPayload, attempted_at: string, now_ms: number): Promise<StoreResult> {
  return store({
    source: 'stripe_api', event_id: `attempt:${a.intent_id}:${a.attempt}`, type: 'outbox.attempt_failed', stream_key: null,
    occurred_at: attempted_at, payload: JSON.stringify(a), received_at: formatIsoUtc(now_ms),
  });
}
