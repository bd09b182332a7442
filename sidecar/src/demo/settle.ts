import type { Sidecar } from '../server.js';
import type { StripeFake } from '../stripe-fake/index.js';

/**
 * Runs the sidecar and its Stripe fake until nothing moves: webhooks delivered, the inbox
 * dispatched, the outbox empty. For demo mode, tests and the e2e stack, where one process holds
 * both ends and wants the story's consequences before it goes on.
 */
export async function settle(sidecar: Pick<Sidecar, 'dispatcher' | 'outbox'>, fake: Pick<StripeFake, 'deliverAll'> | null, maxRounds = 200): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    await fake?.deliverAll();
    await sidecar.dispatcher.drain();
    const calls = (await sidecar.outbox?.runOnce()) ?? 0;
    await fake?.deliverAll();
    if (calls === 0 && (await sidecar.dispatcher.drain()) === 0) return;
  }
  throw new Error('settle: the system did not become quiet');
}
