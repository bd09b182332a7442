import { postStripeWebhook, SignedClient, type Reply } from '../client/signed-client.js';

/**
 * The simulated senders re-send what got no answer, as the booking engine and Stripe do: a reused
 * keep-alive socket the server closed a moment before (ECONNRESET on a machine loaded enough that
 * requests are seconds apart) is a transport failure, not a verdict. The same bytes are sent again;
 * the sidecar's idempotency makes the copy harmless. Anything the sidecar answered, whatever the
 * status, is returned as is.
 */
const TRANSPORT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const ATTEMPTS = 5;

export function isTransportFailure(e: unknown): boolean {
  if (!(e instanceof TypeError) || e.message !== 'fetch failed') return false;
  const code = (e.cause as { code?: string } | undefined)?.code;
  return code !== undefined && TRANSPORT_CODES.has(code);
}

export async function resent<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (attempt >= ATTEMPTS || !isTransportFailure(e)) throw e;
    }
  }
}

export class ResendingClient extends SignedClient {
  override send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Reply> {
    return resent(() => super.send(method, path, body, headers));
  }
}

export function postStripeWebhookResending(baseUrl: string, event: unknown, secret: string): Promise<Reply> {
  return resent(() => postStripeWebhook(baseUrl, event, secret));
}
