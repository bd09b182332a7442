import type { Db } from '../db/connect.js';
import { forEachDecision } from '../flows/evidence/decisions.js';
import { policyVersion } from '../flows/evidence/policy-versions.js';
import { decideCancellation, policyVersionOf, type BookingFacts, type PolicyVersion } from '../nora/index.js';

type RuleRef = { policy: string; version: number; hash: string };

/**
 * Re-decides every recorded cancellation whose booking uses the candidate's policy (same kind and
 * id) under the candidate, from the recorded facts and time, and reports what would change.
 */
export async function simulatePolicy(db: Db, candidateJson: unknown) {
  const candidate = policyVersionOf(candidateJson);
  const key = `${candidate.kind}/${candidate.id}`;
  let considered = 0;
  let changed = 0;
  const money: Record<string, { refund_delta_minor: number; host_payout_delta_minor: number; platform_fee_delta_minor: number }> = {};
  const examples: unknown[] = [];
  await forEachDecision(db, async (d) => {
    if (!d.action.startsWith('cancel_by_')) return;
    const input = d.input as { facts: BookingFacts; by: 'guest' | 'host'; at: string; policies: Record<string, RuleRef> };
    const refs = input.policies;
    if (!Object.values(refs).some((r) => r.policy === key)) return;
    considered++;
    const load = async (ref: RuleRef): Promise<PolicyVersion> => {
      if (ref.policy === key) return candidate;
      const [kind, id] = ref.policy.split('/') as [string, string];
      return policyVersionOf((await policyVersion(db, kind, id, ref.version))!.document);
    };
    const before = d.outcome as { allowed: boolean; outcome: { currency: string; refund_to_guest: number; host_payout: number; platform_fee_kept: number } };
    const after = decideCancellation({ policies: { cancellation: await load(refs.cancellation!), host_cancellation: await load(refs.host_cancellation!), fees: await load(refs.fees!), loyalty: await load(refs.loyalty!) }, facts: input.facts, by: input.by, at: input.at });
    const o = after.outcome;
    if (o.refund_to_guest !== before.outcome.refund_to_guest || o.host_payout !== before.outcome.host_payout || o.platform_fee_kept !== before.outcome.platform_fee_kept || after.allowed !== before.allowed) {
      changed++;
      const m = (money[o.currency] ??= { refund_delta_minor: 0, host_payout_delta_minor: 0, platform_fee_delta_minor: 0 });
      m.refund_delta_minor += o.refund_to_guest - before.outcome.refund_to_guest;
      m.host_payout_delta_minor += o.host_payout - before.outcome.host_payout;
      m.platform_fee_delta_minor += o.platform_fee_kept - before.outcome.platform_fee_kept;
      if (examples.length < 10) examples.push({ booking_id: d.booking_id, decision_id: d.decision_id, before: before.outcome, after: o });
    }
  });
  return { candidate: { policy: key, version: candidate.version, hash: candidate.hash }, decisions_considered: considered, outcomes_changed: changed, money_moved: money, examples };
}
