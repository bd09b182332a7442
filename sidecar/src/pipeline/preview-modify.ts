import { z } from 'zod';
import { DomainError, isLocalDate, MAX_AMOUNT_MINOR } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { getBooking } from '../flows/booking/store.js';
import { bookingMoney } from '../flows/booking/money-view.js';
import { currentPolicyVersion } from '../flows/evidence/policy-versions.js';
import { policyVersionOf } from '../nora/index.js';
import { factsOf, pinnedPolicy } from './booking-facts.js';
import { decideChange } from './handlers/modification.js';

const Amount = z.string().regex(/^\d{1,16}$/, 'a whole number of minor units').transform(Number).refine((n) => n <= MAX_AMOUNT_MINOR, 'too large');
const LocalDate = z.string().refine(isLocalDate, 'a date YYYY-MM-DD');

/** GET /preview/outcome?action=modify&… (the contract's names), checked before anything is read. */
export const ModifyPreviewQuery = z.object({
  action: z.literal('modify'),
  booking_id: z.string().min(1).max(120),
  by: z.enum(['guest', 'host']),
  at: z.string().optional(),
  check_in: LocalDate.optional(),
  check_out: LocalDate.optional(),
  nightly_total: Amount.optional(),
  cleaning_fee: Amount.optional(),
  guest_service_fee: Amount.optional(),
  taxes: Amount.optional(),
}).refine((q) => ['check_in', 'check_out', 'nightly_total', 'cleaning_fee', 'guest_service_fee', 'taxes'].some((k) => q[k as keyof typeof q] !== undefined), { message: 'give the new value of at least one of check_in, check_out, nightly_total, cleaning_fee, guest_service_fee, taxes', path: ['nightly_total'] });

export function parseModifyPreviewQuery(query: Record<string, unknown>): z.infer<typeof ModifyPreviewQuery> {
  const r = ModifyPreviewQuery.safeParse(query);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', message: i.message }));
    throw new DomainError('validation_failed', `${issues[0]!.field}: ${issues[0]!.message}`, { errors: issues });
  }
  return r.data;
}

/** What booking.modified would do at `at`, computed by the very function execution uses; its outcome_hash is what the guest consents to. */
export async function previewModification(db: Db, q: z.infer<typeof ModifyPreviewQuery>, at: string) {
  const b = await getBooking(db, q.booking_id);
  if (!b) throw new DomainError('not_found', `booking ${q.booking_id} is not known`);
  const changes = Object.fromEntries(Object.entries({ check_in: q.check_in, check_out: q.check_out, nightly_total: q.nightly_total, cleaning_fee: q.cleaning_fee, guest_service_fee: q.guest_service_fee, taxes: q.taxes }).filter(([, v]) => v !== undefined));
  const next = { ...b.facts, ...changes };
  if (next.check_out <= next.check_in) throw new DomainError('validation_failed', 'check_out must be after check_in', { field: 'check_out' });
  const money = await bookingMoney(db, b.booking_id);
  const current = b.policies.modification ? undefined : await currentPolicyVersion(db, 'modification', 'standard');
  if (!b.policies.modification && !current) throw new DomainError('unknown_policy', 'no modification policy is published');
  const modification = b.policies.modification ? await pinnedPolicy(db, b.policies.modification) : policyVersionOf(current!.document);
  const fees = await pinnedPolicy(db, b.policies.fees);
  const loyalty = factsOf(b, money).credits_redeemed ? await pinnedPolicy(db, b.policies.loyalty) : undefined;
  const d = decideChange({ b, money, modification, fees, ...(loyalty ? { loyalty } : {}) }, changes, at);
  return { booking_id: b.booking_id, action: 'modify' as const, by: q.by, evaluated_at: at, allowed: d.allowed, reason: d.reason, moves_money: d.moves_money, rule: d.rule, outcome: d.outcome, outcome_hash: d.outcome_hash, explanation: d.explanation };
}
