import type { JournalLine } from '../ledger/index.js';
import { chart, KIND } from '../vocabulary.js';
import type { EntryIntent, EventRef } from './entries.js';

/**
 * A charge made in one currency and settled by Stripe in another (issue #12): the presentment
 * amount leaves the Stripe balance in its currency and the settled amount arrives in the other,
 * each leg balanced through the FX clearing account in its own currency, with Stripe's exchange
 * rate. The fee is then posted in the settlement currency (stripe_fee).
 */
export function fxConversionEntry(x: { booking_id: string | null; balance_transaction: string; from: { currency: string; amount_minor: number }; to: { currency: string; amount_minor: number }; exchange_rate: number }, ev: EventRef): EntryIntent | null {
  if (x.from.amount_minor <= 0 || x.to.amount_minor <= 0) return null;
  const [fromBal, fromFx, toBal, toFx] = [chart.stripeBalance(x.from.currency), chart.fxConversion(x.from.currency), chart.stripeBalance(x.to.currency), chart.fxConversion(x.to.currency)];
  const l = (a: typeof fromBal, direction: 'D' | 'C', amount_minor: number): JournalLine => ({ account: a.code, unit: a.unit, direction, amount_minor });
  return {
    request: {
      idempotency_key: `fx_conversion:${x.balance_transaction}`, kind: KIND.fx_conversion, booking_id: x.booking_id, occurred_at: ev.occurred_at,
      description: `Stripe settled ${x.from.amount_minor} ${x.from.currency} as ${x.to.amount_minor} ${x.to.currency} (rate ${x.exchange_rate}, ${x.balance_transaction})`,
      meta: { event_id: ev.event_id, inbox_id: ev.inbox_id, exchange_rate: x.exchange_rate, balance_transaction: x.balance_transaction, reported: x.balance_transaction, reported_amount_minor: x.to.amount_minor },
      lines: [l(fromFx, 'D', x.from.amount_minor), l(fromBal, 'C', x.from.amount_minor), l(toBal, 'D', x.to.amount_minor), l(toFx, 'C', x.to.amount_minor)],
    },
    accounts: [fromFx, fromBal, toBal, toFx],
    reported: { object_id: x.balance_transaction, amount_minor: x.to.amount_minor },
  };
}
