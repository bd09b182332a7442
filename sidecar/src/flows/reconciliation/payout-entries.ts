import type { JournalLine } from '../ledger/index.js';
import { chart, KIND, type ChartAccount } from '../vocabulary.js';
import type { EntryIntent, EventRef } from '../booking/entries.js';

/** A platform payout as Stripe reports it (payout.created|paid|failed), translated at the edge. */
export type PlatformPayout = { payout_id: string; amount_minor: number; currency: string; automatic: boolean };

const line = (a: ChartAccount, direction: 'D' | 'C', amount_minor: number): JournalLine => ({ account: a.code, unit: a.unit, direction, amount_minor });

function entry(key: string, kind: (typeof KIND)[keyof typeof KIND], p: PlatformPayout, ev: EventRef, debit: ChartAccount, credit: ChartAccount, what: string): EntryIntent {
  return {
    request: {
      idempotency_key: key, kind, booking_id: null, occurred_at: ev.occurred_at,
      description: `${what}: Stripe payout ${p.payout_id} of ${p.amount_minor} ${p.currency}`,
      meta: { event_id: ev.event_id, inbox_id: ev.inbox_id, payout: p.payout_id, reported: p.payout_id, reported_amount_minor: p.amount_minor },
      lines: [line(debit, 'D', p.amount_minor), line(credit, 'C', p.amount_minor)],
    },
    accounts: [debit, credit],
    reported: { object_id: `${key}`, amount_minor: p.amount_minor },
  };
}

/** The payout leaves the Stripe balance (Stripe debits it when the payout is created): key `payout:<po>`. */
export function payoutCreatedEntry(p: PlatformPayout, ev: EventRef): EntryIntent {
  return entry(`payout:${p.payout_id}`, KIND.platform_payout, p, ev, chart.payoutsInTransit(p.currency), chart.stripeBalance(p.currency), 'Paid out to the platform bank');
}

/** The bank received it: key `payout_paid:<po>`. */
export function payoutPaidEntry(p: PlatformPayout, ev: EventRef): EntryIntent {
  return entry(`payout_paid:${p.payout_id}`, KIND.platform_payout_paid, p, ev, chart.platformBank(p.currency), chart.payoutsInTransit(p.currency), 'Arrived at the platform bank');
}

/** The bank refused it (or it was canceled): the amount returns to the Stripe balance, key `payout_failed:<po>`. */
export function payoutFailedEntry(p: PlatformPayout, ev: EventRef): EntryIntent {
  return entry(`payout_failed:${p.payout_id}`, KIND.platform_payout_failed, p, ev, chart.stripeBalance(p.currency), chart.payoutsInTransit(p.currency), 'Returned to the Stripe balance');
}
