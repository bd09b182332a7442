import { hashOf, type Sha256Hash } from '../kernel/index.js';
import type { RuleRef } from './policy-version.js';
import type { Actor, CancellationOutcome } from './outcome.js';

/**
 * What would happen, without the moment of evaluation: a preview at 10:00 and a request at 10:03
 * hash the same as long as the amounts have not changed. Every amount (including the lines) is in.
 */
export function outcomeHash(input: { booking_id: string; action: 'cancel'; by: Actor; rule: RuleRef; outcome: CancellationOutcome }): Sha256Hash {
  return hashOf({
    booking_id: input.booking_id,
    action: input.action,
    by: input.by,
    rule: { policy: input.rule.policy, version: input.rule.version, hash: input.rule.hash },
    outcome: input.outcome,
  });
}

/** sha256 of the RFC 8785 canonical JSON of exactly these five fields. */
export function consentHash(c: { booking_id: string; action: string; outcome_hash: string; actor: string; consented_at: string }): Sha256Hash {
  return hashOf({ booking_id: c.booking_id, action: c.action, outcome_hash: c.outcome_hash, actor: c.actor, consented_at: c.consented_at });
}
