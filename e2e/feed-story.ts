/**
 * Feeds the demo story into the running sidecar and prints its ids as JSON (for e2e/run.sh).
 * Env: SIDECAR_URL, ENGINE_KEY_ID, ENGINE_SECRET, STRIPE_API_URL.
 */
import { feedStory } from './story.js';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const result = await feedStory({
  sidecarUrl: need('SIDECAR_URL'),
  engineKey: { keyId: need('ENGINE_KEY_ID'), secret: need('ENGINE_SECRET') },
  stripeApiUrl: need('STRIPE_API_URL'),
});
process.stdout.write(JSON.stringify(result) + '\n');
