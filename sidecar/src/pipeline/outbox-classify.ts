import type { Db } from '../db/connect.js';
import { classifyOutboundFailure, policyVersionOf, type PolicyVersion } from '../nora/index.js';
import { currentPolicyVersion } from '../flows/evidence/policy-versions.js';
import type { FailureClass } from '../flows/outbox/retry-policy.js';

let cached: { hash: string; version: PolicyVersion } | null = null;

/**
 * Whether the worker tries a failed call again within its round: the published retry policy's
 * codes first (balance_insufficient and lock_timeout are 400s Stripe asks to retry; a closed
 * account is final), then the transport's own verdict (no answer, 5xx, 429, Stripe-Should-Retry).
 */
export async function retryableByPolicy(db: Db, f: FailureClass): Promise<boolean> {
  const stored = await currentPolicyVersion(db, 'retry', 'standard');
  if (!stored) return f.retryable;
  if (cached?.hash !== stored.hash) cached = { hash: stored.hash, version: policyVersionOf(stored.document) };
  return classifyOutboundFailure(cached.version, { http_status: f.http_status, error_code: f.error_code, no_answer: f.http_status === null, transport_retryable: f.retryable }).retryable;
}
