/**
 * A failed outbound attempt as the log recorded it (dispatch of stripe_api `outbox.attempt_failed`).
 * Written as an `outboxFailures` effect (flows/write-effects.ts); read with the batch
 * (pipeline/batch/redrive-load.ts), with the rounds granted and the terminal decisions.
 */
export type OutboxFailure = {
  intent_id: string; attempt: number; round_ended: boolean; retryable: boolean;
  http_status: number | null; error_code: string | null; error_message: string | null; request_id: string | null;
  inbox_id: number; occurred_at: string;
};
