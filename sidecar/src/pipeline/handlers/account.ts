import { z } from 'zod';
import type { AccountState } from '../../flows/booking/account-states.js';
import type { DecisionHandler } from '../handler-shape.js';

type Obj = Record<string, unknown>;

/** The parts of Stripe's Account object payouts read (other fields pass: Stripe adds fields). */
const AccountObject = z.object({
  id: z.string().regex(/^acct_[A-Za-z0-9]{1,64}$/),
  object: z.literal('account'),
  charges_enabled: z.boolean(),
  payouts_enabled: z.boolean(),
  capabilities: z.object({ transfers: z.enum(['active', 'inactive', 'pending']).optional() }).optional(),
  requirements: z.object({ disabled_reason: z.string().max(120).nullable().optional() }).nullable().optional(),
});

/** Stripe's Account object translated at the edge into what payouts need to know; null if it is not one. */
export function accountFactsOf(o: Obj): Omit<AccountState, 'occurred_at' | 'inbox_id'> | null {
  const parsed = AccountObject.safeParse(o);
  if (!parsed.success) return null;
  const a = parsed.data;
  return {
    stripe_account_id: a.id,
    charges_enabled: a.charges_enabled,
    payouts_enabled: a.payouts_enabled,
    transfers_capability: a.capabilities?.transfers ?? 'none',
    disabled_reason: a.requirements?.disabled_reason ?? null,
  };
}

/**
 * `account.updated` (Connect): records the account's charges_enabled, payouts_enabled, transfers
 * capability and requirements.disabled_reason. Payouts read it at the next clock.tick: held while
 * the account cannot receive transfers, released when it can.
 */
export const onAccountUpdated: DecisionHandler = (state, event) => {
  const object = (event.payload.data as { object: Obj }).object;
  const facts = accountFactsOf(object);
  if (!facts) return { status: 'ignored', code: 'invalid_account_object', reason: 'account.updated whose object is not a Stripe account (id, charges_enabled, payouts_enabled, capabilities.transfers): nothing recorded' };
  const before = state.connectAccountState(facts.stripe_account_id);
  state.effects.add('accountStates', { ...facts, occurred_at: event.occurred_at, inbox_id: event.id });
  const changed = !before || before.transfers_capability !== facts.transfers_capability || before.disabled_reason !== facts.disabled_reason || before.payouts_enabled !== facts.payouts_enabled || before.charges_enabled !== facts.charges_enabled;
  return { status: 'processed', code: changed ? undefined : 'unchanged' };
};
