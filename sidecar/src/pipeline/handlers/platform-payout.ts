import { z } from 'zod';
import { payoutCreatedEntry, payoutFailedEntry, payoutPaidEntry, type PlatformPayout } from '../../flows/reconciliation/payout-entries.js';
import { ref } from '../context.js';
import type { DecisionHandler } from '../handler-shape.js';

type Obj = Record<string, unknown>;

/** The parts of Stripe's Payout object the ledger needs (other fields pass: Stripe adds fields). */
const PayoutObject = z.object({
  id: z.string().regex(/^po_[A-Za-z0-9_]{1,64}$/),
  object: z.literal('payout'),
  amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[a-z]{3}$/),
  automatic: z.boolean(),
  status: z.enum(['pending', 'in_transit', 'paid', 'failed', 'canceled']),
});

/** Stripe's Payout translated at the edge; null if the object is not one. */
export function payoutFactsOf(o: Obj): PlatformPayout | null {
  const p = PayoutObject.safeParse(o);
  return p.success ? { payout_id: p.data.id, amount_minor: p.data.amount, currency: p.data.currency.toUpperCase(), automatic: p.data.automatic } : null;
}

/**
 * `payout.created`, `payout.paid`, `payout.failed`, `payout.canceled` — the platform's own payouts
 * (issue #12): Stripe pays the platform's balance out to its bank. Posted by what Stripe reports,
 * never decided: created → the Stripe balance to payouts in transit; paid → in transit to the bank;
 * failed or canceled → back to the Stripe balance. Whichever event arrives first also posts the
 * creation (Stripe may deliver paid before created). A connected account's payout (the event names
 * an `account`) is the host's money at their own Stripe balance, not ours: ignored.
 */
export const onPlatformPayout: DecisionHandler = (state, event) => {
  if (typeof event.payload.account === 'string' && event.payload.account !== '') {
    return { status: 'ignored', code: 'connected_account_payout', reason: `a payout of connected account ${event.payload.account} from its own balance: not the platform's money` };
  }
  const p = payoutFactsOf((event.payload.data as { object: Obj }).object);
  if (!p) return { status: 'ignored', code: 'invalid_payout_object', reason: `${event.type} whose object is not a Stripe payout (id po_…, amount, currency, automatic, status): nothing posted` };
  const at = ref(event);
  const created = state.effects.post(payoutCreatedEntry(p, at));
  let done = created;
  if (event.type === 'payout.paid') done = state.effects.post(payoutPaidEntry(p, at));
  if (event.type === 'payout.failed' || event.type === 'payout.canceled') done = state.effects.post(payoutFailedEntry(p, at));
  state.effects.add('links', { object_id: p.payout_id, kind: 'payout', booking_id: null, inbox_id: event.id, data: { amount: p.amount_minor, currency: p.currency, automatic: p.automatic, status: event.type.slice('payout.'.length) } });
  return { status: done?.replayed ? 'ignored' : 'processed', code: done?.replayed ? 'already_posted' : undefined, keys: [`payout:${p.payout_id}`] };
};
