import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one delivery. `webhook-signature` carries one `v1,<base64>`
 * per secret, space-separated: during a rotation's overlap both the new and the old secret sign,
 * and a consumer's library accepts the message with either.
 */
export function standardWebhookHeaders(secrets: string[], webhook_id: string, timestamp_ms: number, body: string): Record<string, string> {
  const at = new Date(Math.floor(timestamp_ms / 1000) * 1000);
  return {
    'webhook-id': webhook_id,
    'webhook-timestamp': String(Math.floor(timestamp_ms / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(webhook_id, at, body)).join(' '),
  };
}
