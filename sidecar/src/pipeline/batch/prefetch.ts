import type { InboxEvent } from '../../sari/inbox.js';
import { chart } from '../../flows/vocabulary.js';
import { noNeeds, type Needs } from './needs.js';
import { reconciliationIntentId, reconciliationWindow } from '../reconciliation-clock.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * What a batch's handlers will most likely read, from the events alone (before any handler runs):
 * the bookings they name, the Stripe objects and payment intents that lead to a booking, the hosts
 * and guests involved, and for clock ticks the payouts and credit lots that may fall due. Whatever
 * this misses is loaded when a handler asks (NeedsLoad): prefetch decides speed, never results.
 */
export function prefetchNeeds(events: Array<Omit<InboxEvent, 'payload'> & { payload: Record<string, unknown> }>): Needs {
  const n = noNeeds();
  for (const e of events) {
    if (e.source === 'clock') {
      // the built-in clock's ticks (sari/clock-ticker.ts): the same needs as the engine's ticks
      n.awaitingPayout = true;
      n.awaitingRedrive = true;
      for (const d of reconciliationWindow(e.occurred_at)) n.outboxIntents.add(reconciliationIntentId(d.day));
      if (!n.payoutsDueBy || e.occurred_at > n.payoutsDueBy) n.payoutsDueBy = e.occurred_at;
      if (!n.expiringBefore || e.occurred_at > n.expiringBefore) n.expiringBefore = e.occurred_at;
      continue;
    }
    if (e.source === 'booking') {
      const data = (e.payload.data ?? {}) as Obj;
      const booking = str(data.booking_id);
      if (booking) n.bookings.add(booking);
      if (e.type === 'booking.confirmed' && typeof data.credits_redeemed === 'number' && data.credits_redeemed > 0 && str(data.guest_id)) {
        n.guests.add(data.guest_id as string);
        n.accountCodes.add(chart.guestCredits(data.guest_id as string).code);
      }
      if (e.type === 'host.connected' && str(data.host_id)) n.hosts.add(data.host_id as string);
      if (e.type.startsWith('subscription.')) n.subscriptions = true;
      if (e.type === 'money.retry_requested' && str(data.intent_id)) n.outboxIntents.add(data.intent_id as string);
      if (e.type === 'clock.tick') {
        n.awaitingPayout = true;
        if (!n.payoutsDueBy || e.occurred_at > n.payoutsDueBy) n.payoutsDueBy = e.occurred_at;
        n.subscriptions = true;
        n.awaitingRedrive = true;
        for (const d of reconciliationWindow(e.occurred_at)) n.outboxIntents.add(reconciliationIntentId(d.day));
        if (!n.expiringBefore || e.occurred_at > n.expiringBefore) n.expiringBefore = e.occurred_at;
      }
      continue;
    }
    if (e.source !== 'stripe' && e.source !== 'stripe_api') continue;
    const o = (e.source === 'stripe_api' ? e.payload : ((e.payload.data as { object?: Obj } | undefined)?.object ?? {})) as Obj;
    if (e.type === 'outbox.attempt_failed' && str(o.intent_id)) n.outboxIntents.add(o.intent_id as string);
    const booking = str((o.metadata as Obj | undefined)?.booking_id);
    if (booking) n.bookings.add(booking);
    if (['subscription', 'invoice', 'invoice_payment', 'credit_note', 'payment_intent'].includes(String(o.object)) && !booking) n.subscriptions = true;
    const pi = str(o.payment_intent) ?? (o.object === 'payment_intent' ? str(o.id) : undefined);
    if (pi) n.paymentIntents.add(pi);
    for (const k of ['charge', 'source_transaction', 'transfer', 'source', 'balance_transaction'] as const) {
      const id = str(o[k]);
      if (id) n.objects.add(id);
    }
    if (e.type === 'balance_transaction' && str(o.id)) n.entryKeys.add(`stripe_fee:${String(o.id)}`);
    if (o.object === 'payout' && str(o.id)) for (const k of ['payout', 'payout_paid', 'payout_failed']) n.entryKeys.add(`${k}:${String(o.id)}`);
  }
  return n;
}
