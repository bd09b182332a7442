import { DomainError } from '../kernel/index.js';
import { policyVersion } from '../flows/evidence/policy-versions.js';
import type { BookingRecord, PolicyRef } from '../flows/booking/store.js';
import type { BookingMoney } from '../flows/booking/money-view.js';
import { isCancelled } from '../flows/booking/state-machine.js';
import type { BookingFacts, CancellationPolicies, PolicyVersion } from '../nora/index.js';
import { policyVersionOf } from '../nora/index.js';
import type { Trx } from './context.js';

/** NORA's view of a booking: facts from the latest revision, state and money from the log. */
export function factsOf(b: BookingRecord, money: Pick<BookingMoney, 'paid_minor' | 'host_paid_out_minor' | 'host_recovered_minor' | 'transfer_in_flight_minor'>): BookingFacts {
  const f = b.facts;
  return {
    booking_id: b.booking_id,
    currency: f.currency,
    nightly_total: f.nightly_total,
    cleaning_fee: f.cleaning_fee,
    guest_service_fee: f.guest_service_fee,
    taxes: f.taxes,
    check_in: f.check_in,
    check_out: f.check_out,
    check_in_time: f.check_in_time,
    time_zone: f.time_zone,
    confirmed_at: b.confirmed_at,
    status: isCancelled(b.state) ? 'cancelled' : b.state === 'completed' ? 'completed' : 'active',
    paid_minor: money.paid_minor,
    // A transfer already decided counts as paid out: it will reach the host whatever happens next.
    host_paid_out_minor: Math.max(0, money.host_paid_out_minor + money.transfer_in_flight_minor - money.host_recovered_minor),
    ...(f.credits_redeemed ? { credits_redeemed: f.credits_redeemed } : {}),
  };
}

/** Loads the policy versions a booking is pinned to, from the log's own copy of each version. */
/**
 * Parsed policy versions by kind, id, version and hash. A published version never changes and a pin
 * carries the hash it was bound to (checked on the first load), so the same pin is the same value
 * forever: dispatch and reads skip the query, the zod parse and the hash after the first time.
 */
const parsedPolicies = new Map<string, PolicyVersion>();
const PARSED_POLICIES_MAX = 1000;

const pinKey = (ref: PolicyRef) => `${ref.kind}\u0000${ref.id}\u0000${ref.version}\u0000${ref.hash}`;

export async function pinnedPolicy(db: Trx, ref: PolicyRef | undefined): Promise<PolicyVersion> {
  if (!ref) throw new DomainError('unknown_policy', 'the booking is not pinned to a policy of this kind');
  const kept = parsedPolicies.get(pinKey(ref));
  if (kept) return kept;
  const loaded = await loadPinnedPolicy(db, ref);
  rememberPolicy(ref, loaded);
  return loaded;
}

/** A pinned version already parsed in this process, if any (the batch loader fills it first). */
export function cachedPolicy(ref: PolicyRef): PolicyVersion | undefined {
  return parsedPolicies.get(pinKey(ref));
}

/** Keeps a parsed version whose hash was checked against its pin. */
export function rememberPolicy(ref: PolicyRef, v: PolicyVersion): void {
  if (v.hash !== ref.hash) throw new Error(`invariant violated: policy ${ref.kind}/${ref.id} v${ref.version} hash differs from the pinned hash`);
  if (parsedPolicies.has(pinKey(ref))) return;
  if (parsedPolicies.size >= PARSED_POLICIES_MAX) parsedPolicies.delete(parsedPolicies.keys().next().value!);
  parsedPolicies.set(pinKey(ref), v);
}

async function loadPinnedPolicy(db: Trx, ref: PolicyRef): Promise<PolicyVersion> {
  const stored = await policyVersion(db, ref.kind, ref.id, ref.version);
  if (!stored) throw new DomainError('unknown_policy', `policy ${ref.kind}/${ref.id} v${ref.version} is not in the log`);
  const v = policyVersionOf(stored.document);
  if (v.hash !== ref.hash) throw new Error(`invariant violated: policy ${ref.kind}/${ref.id} v${ref.version} hash differs from the pinned hash`);
  return v;
}

export async function cancellationPolicies(db: Trx, b: BookingRecord): Promise<CancellationPolicies> {
  return {
    cancellation: await pinnedPolicy(db, b.policies.cancellation),
    host_cancellation: await pinnedPolicy(db, b.policies.host_cancellation),
    fees: await pinnedPolicy(db, b.policies.fees),
    loyalty: await pinnedPolicy(db, b.policies.loyalty),
  };
}
