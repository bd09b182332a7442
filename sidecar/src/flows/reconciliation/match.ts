/**
 * Reconciliation with Stripe (issue #12, part 5, first slice): every balance transaction Stripe
 * reports for a period is matched to the ledger entry that records it, by the key that entry is
 * posted under. Pure: the shell (pipeline/reconcile.ts) reads Stripe and the ledger.
 */

/** A Stripe balance transaction translated at the edge. Amounts signed as Stripe signs them. */
export type StripeMovement = { id: string; type: string; amount_minor: number; fee_minor: number; currency: string; source: string | null; created: string; payment_intent?: string | null; exchange_rate?: number | null };
/** A ledger entry that records a Stripe movement: its key and what it moved on the Stripe balance. */
export type LedgerMovement = { idempotency_key: string; kind: string; amount_minor: number; currency: string; occurred_at: string; by_currency: Record<string, number> };

/** `amount_minor` null: only the entry's existence is checked (a payment presented in another currency than Stripe settled it). */
export type Expected = { key: string; amount_minor: number | null; explained_by: string };

/** The ledger entries a balance transaction should have produced: the movement itself, and its fee. */
export function expectedEntries(t: StripeMovement): Expected[] {
  const out: Expected[] = [];
  const src = t.source ?? '?';
  switch (t.type) {
    case 'charge':
    case 'payment':
      if (t.exchange_rate) {
        // Settled in another currency: the payment is posted in the presentment currency, the conversion in both.
        out.push({ key: `fx_conversion:${t.id}`, amount_minor: t.amount_minor, explained_by: `the fee lookup of charge ${src} (balance transaction ${t.id}, rate ${t.exchange_rate})` });
        out.push({ key: t.payment_intent ? `payment:${t.payment_intent}` : `charge:${src}`, amount_minor: null, explained_by: `payment_intent.succeeded for ${t.payment_intent ?? `the payment intent of charge ${src}`}` });
        break;
      }
      out.push(t.payment_intent
        ? { key: `payment:${t.payment_intent}`, amount_minor: t.amount_minor, explained_by: `payment_intent.succeeded for ${t.payment_intent} (charge ${src})` }
        : { key: `charge:${src}`, amount_minor: t.amount_minor, explained_by: `payment_intent.succeeded for the payment intent of charge ${src}` });
      break;
    case 'refund':
      out.push({ key: `refund:${src}`, amount_minor: -t.amount_minor, explained_by: `refund.created / refund.updated for ${src}` });
      break;
    case 'refund_failure':
      out.push({ key: `refund_failed:${src}`, amount_minor: t.amount_minor, explained_by: `refund.updated (failed) for ${src}` });
      break;
    case 'transfer':
      out.push({ key: `transfer:${src}`, amount_minor: -t.amount_minor, explained_by: `transfer.created for ${src}` });
      break;
    case 'transfer_refund':
    case 'transfer_cancel':
      out.push({ key: `transfer_reversal:${src}`, amount_minor: t.amount_minor, explained_by: `transfer.reversed for the transfer of reversal ${src}` });
      break;
    case 'adjustment':
      out.push({ key: `dispute_txn:${t.id}`, amount_minor: t.amount_minor, explained_by: `charge.dispute.funds_withdrawn / funds_reinstated for ${src}` });
      break;
    case 'payout':
      out.push({ key: `payout:${src}`, amount_minor: -t.amount_minor, explained_by: `payout.paid for ${src} (platform payouts are not posted yet)` });
      break;
    default:
      out.push({ key: `${t.type}:${src}`, amount_minor: t.amount_minor, explained_by: `a Stripe ${t.type} event for ${src} (no flow posts this type)` });
  }
  // A dispute's fee is part of its withdrawal entry; every other fee is its own stripe_fee entry.
  if (t.fee_minor > 0 && t.type !== 'adjustment') out.push({ key: `stripe_fee:${t.id}`, amount_minor: t.fee_minor, explained_by: `charge.succeeded / charge.updated naming balance transaction ${t.id} (fee lookup)` });
  return out;
}

export type ReconciliationReport = {
  from: string; to: string; stripe_transactions: number;
  matched: Array<{ balance_transaction: string; key: string; amount_minor: number; currency: string }>;
  missing_from_ledger: Array<{ balance_transaction: string; type: string; key: string; amount_minor: number; currency: string; explained_by: string }>;
  unknown_to_stripe: Array<{ key: string; kind: string; amount_minor: number; currency: string; occurred_at: string }>;
  amount_differences: Array<{ balance_transaction: string; key: string; stripe_minor: number; ledger_minor: number; currency: string }>;
  ok: boolean;
};

/** Matches Stripe's movements to ledger entries (looked up by key) and lists the period's entries no movement explains. */
export function reconcile(from: string, to: string, stripe: StripeMovement[], byKey: Map<string, LedgerMovement>, inPeriod: LedgerMovement[]): ReconciliationReport {
  const r: ReconciliationReport = { from, to, stripe_transactions: stripe.length, matched: [], missing_from_ledger: [], unknown_to_stripe: [], amount_differences: [], ok: true };
  const seen = new Set<string>();
  for (const t of [...stripe].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1))) {
    for (const e of expectedEntries(t)) {
      seen.add(e.key);
      const l = byKey.get(e.key);
      const currency = t.currency.toUpperCase();
      if (!l) r.missing_from_ledger.push({ balance_transaction: t.id, type: t.type, key: e.key, amount_minor: Math.abs(e.amount_minor ?? t.amount_minor), currency, explained_by: e.explained_by });
      else if (e.amount_minor === null) r.matched.push({ balance_transaction: t.id, key: e.key, amount_minor: l.amount_minor, currency: l.currency });
      else if ((l.by_currency[currency] ?? -1) !== Math.abs(e.amount_minor)) r.amount_differences.push({ balance_transaction: t.id, key: e.key, stripe_minor: Math.abs(e.amount_minor), ledger_minor: l.by_currency[currency] ?? l.amount_minor, currency });
      else r.matched.push({ balance_transaction: t.id, key: e.key, amount_minor: Math.abs(e.amount_minor), currency });
    }
  }
  for (const l of inPeriod) if (!seen.has(l.idempotency_key)) r.unknown_to_stripe.push({ key: l.idempotency_key, kind: l.kind, amount_minor: l.amount_minor, currency: l.currency, occurred_at: l.occurred_at });
  r.ok = r.missing_from_ledger.length === 0 && r.unknown_to_stripe.length === 0 && r.amount_differences.length === 0;
  return r;
}
