/**
 * Reconciliation with Stripe (issue #12, part 5, first slice): every balance transaction Stripe
 * reports for a period is matched to the ledger entry that records it, by the key that entry is
 * posted under. Pure: the shell (pipeline/reconcile.ts) reads Stripe and the ledger.
 */

import { subscriptionKey } from '../subscriptions/entries.js';

/** A Stripe balance transaction translated at the edge. Amounts signed as Stripe signs them. */
export type StripeMovement = { id: string; type: string; amount_minor: number; fee_minor: number; currency: string; source: string | null; created: string; payment_intent?: string | null; exchange_rate?: number | null;
  /** The host subscription invoice this charge paid (its PaymentIntent linked by invoice_payment.paid): posted under the subscription's keys (money-flows flow 11). */
  invoice?: { subscription_id: string; invoice_id: string } | null };
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
      if (t.invoice) {
        // A host's subscription invoice paid by card: its payment and fee entries are the subscription's (a finding of the simulation: they were named missing and unknown)
        out.push({ key: subscriptionKey(t.invoice.subscription_id, 'payment', t.invoice.invoice_id), amount_minor: t.amount_minor, explained_by: `invoice.paid / invoice_payment.paid for invoice ${t.invoice.invoice_id} (charge ${src})` });
        if (t.fee_minor > 0) out.push({ key: subscriptionKey(t.invoice.subscription_id, 'fee', t.id), amount_minor: t.fee_minor, explained_by: `the fee lookup of invoice ${t.invoice.invoice_id}'s payment ${t.payment_intent ?? src} (balance transaction ${t.id})` });
        return out;
      }
      out.push(t.payment_intent
        ? { key: `payment:${t.payment_intent}`, amount_minor: t.amount_minor, explained_by: `payment_intent.succeeded for ${t.payment_intent} (charge ${src})` }
        : { key: `charge:${src}`, amount_minor: t.amount_minor, explained_by: `payment_intent.succeeded for the payment intent of charge ${src}` });
      break;
    case 'refund':
      if (t.exchange_rate) {
        // A refund of a charge settled in another currency: posted in the presentment currency, converted back at Stripe's rate.
        out.push({ key: `fx_conversion:${t.id}`, amount_minor: -t.amount_minor, explained_by: `the balance transaction lookup of refund ${src} (${t.id}, rate ${t.exchange_rate})` });
        out.push({ key: `refund:${src}`, amount_minor: null, explained_by: `refund.created / refund.updated for ${src}` });
        break;
      }
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
      // A dispute's balance transaction carries its fee (amount -X, fee F, net -X-F); the ledger
      // posts both in one entry (dispute_held ← stripe_balance, X + F): compare what left the
      // balance on both sides, the net, never Stripe's amount alone.
      out.push({ key: `dispute_txn:${t.id}`, amount_minor: t.amount_minor - t.fee_minor, explained_by: `charge.dispute.funds_withdrawn / funds_reinstated for ${src}${t.fee_minor !== 0 ? ` (amount ${Math.abs(t.amount_minor)} and dispute fee ${t.fee_minor})` : ''}` });
      break;
    case 'payout':
      out.push({ key: `payout:${src}`, amount_minor: -t.amount_minor, explained_by: `payout.created / payout.paid for ${src}` });
      break;
    case 'payout_failure':
    case 'payout_cancel':
      out.push({ key: `payout_failed:${src}`, amount_minor: t.amount_minor, explained_by: `payout.failed / payout.canceled for ${src}` });
      break;
    default:
      out.push({ key: `${t.type}:${src}`, amount_minor: t.amount_minor, explained_by: `a Stripe ${t.type} event for ${src} (no flow posts this type)` });
  }
  // A dispute's fee is part of its withdrawal entry; every other fee is its own stripe_fee entry.
  if (t.fee_minor > 0 && t.type !== 'adjustment') out.push({ key: `stripe_fee:${t.id}`, amount_minor: t.fee_minor, explained_by: `charge.succeeded / charge.updated naming balance transaction ${t.id} (fee lookup)` });
  return out;
}

/** A platform payout and the balance transactions Stripe says it paid out (its own excluded). */
export type PayoutComposition = { payout_id: string; amount_minor: number; currency: string; automatic: boolean; transactions: Array<{ id: string; type: string; net_minor: number }> };

/** A movement outside policy (issue #13's suspense rows) as the report names it. */
export type OutsidePolicyRow = { object_id: string; object_kind: string; amount_minor: number; currency: string; direction: 'out' | 'in'; reversed: boolean; reason: string; occurred_at: string };

/** The names of differences, as the report, the metric and `reconciliation.mismatch` spell them. */
export const DIFFERENCE_KINDS = ['missing_from_ledger', 'unknown_to_stripe', 'amount_differences', 'payout_differences'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export type ReconciliationReport = {
  from: string; to: string; stripe_transactions: number;
  matched: Array<{ balance_transaction: string; key: string; amount_minor: number; currency: string }>;
  missing_from_ledger: Array<{ balance_transaction: string; type: string; key: string; amount_minor: number; currency: string; explained_by: string }>;
  unknown_to_stripe: Array<{ key: string; kind: string; amount_minor: number; currency: string; occurred_at: string }>;
  amount_differences: Array<{ balance_transaction: string; key: string; stripe_minor: number; ledger_minor: number; currency: string }>;
  /** An automatic payout whose balance transactions do not sum to it (Stripe paid out more or less than it says). */
  payout_differences: Array<{ payout: string; payout_minor: number; transactions_minor: number; difference_minor: number; currency: string; transactions: number }>;
  /**
   * Movements outside policy (issue #13, GET /suspense) of the period: real, posted to the suspense
   * account, named but not explained by a decision. Listed, not a difference: the ledger agrees
   * with Stripe about them (their balance transaction matches `outside_policy:<object>`).
   */
  outside_policy: Array<OutsidePolicyRow & { balance_transaction: string | null }>;
  ok: boolean;
};

/** An automatic payout must equal the net of what it paid out; a manual payout has no such list. */
export function payoutDifference(p: PayoutComposition): ReconciliationReport['payout_differences'][number] | null {
  if (!p.automatic) return null;
  const paidOut = p.transactions.filter((t) => !t.type.startsWith('payout'));
  const sum = paidOut.reduce((a, t) => a + t.net_minor, 0);
  if (sum === p.amount_minor) return null;
  return { payout: p.payout_id, payout_minor: p.amount_minor, transactions_minor: sum, difference_minor: p.amount_minor - sum, currency: p.currency.toUpperCase(), transactions: paidOut.length };
}

/** The differences of a report, one per named difference, for the metric and the alert. */
export function differencesOf(r: ReconciliationReport): Array<{ kind: DifferenceKind; object_id: string; key: string; ledger_minor: number | null; stripe_minor: number | null; currency: string }> {
  return [
    ...r.missing_from_ledger.map((d) => ({ kind: 'missing_from_ledger' as const, object_id: d.balance_transaction, key: d.key, ledger_minor: null, stripe_minor: d.amount_minor, currency: d.currency })),
    ...r.unknown_to_stripe.map((d) => ({ kind: 'unknown_to_stripe' as const, object_id: d.key, key: d.key, ledger_minor: d.amount_minor, stripe_minor: null, currency: d.currency })),
    ...r.amount_differences.map((d) => ({ kind: 'amount_differences' as const, object_id: d.balance_transaction, key: d.key, ledger_minor: d.ledger_minor, stripe_minor: d.stripe_minor, currency: d.currency })),
    ...r.payout_differences.map((d) => ({ kind: 'payout_differences' as const, object_id: d.payout, key: `payout:${d.payout}`, ledger_minor: d.transactions_minor, stripe_minor: d.payout_minor, currency: d.currency })),
  ];
}

/**
 * Matches Stripe's movements to ledger entries (looked up by key) and lists the period's entries no
 * movement explains. A movement whose own entry is missing but that was posted outside policy
 * (`outside_policy:<object>`, issue #13) is matched there and listed under `outside_policy`.
 */
export function reconcile(from: string, to: string, stripe: StripeMovement[], byKey: Map<string, LedgerMovement>, inPeriod: LedgerMovement[], extra: { payouts?: PayoutComposition[]; outsidePolicy?: OutsidePolicyRow[] } = {}): ReconciliationReport {
  const r: ReconciliationReport = { from, to, stripe_transactions: stripe.length, matched: [], missing_from_ledger: [], unknown_to_stripe: [], amount_differences: [], payout_differences: [], outside_policy: [], ok: true };
  const seen = new Set<string>();
  const suspenseTxn = new Map<string, string>();
  for (const t of [...stripe].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1))) {
    for (const e of expectedEntries(t)) {
      seen.add(e.key);
      const currency = t.currency.toUpperCase();
      const outside = t.source ? byKey.get(`outside_policy:${t.source}`) : undefined;
      const own = byKey.get(e.key);
      const l = own ?? (e.key.startsWith('stripe_fee:') ? undefined : outside);
      if (!own && l) {
        seen.add(`outside_policy:${t.source}`);
        suspenseTxn.set(t.source!, t.id);
      }
      if (!l) r.missing_from_ledger.push({ balance_transaction: t.id, type: t.type, key: e.key, amount_minor: Math.abs(e.amount_minor ?? t.amount_minor), currency, explained_by: e.explained_by });
      else if (e.amount_minor === null) r.matched.push({ balance_transaction: t.id, key: e.key, amount_minor: l.amount_minor, currency: l.currency });
      else if ((l.by_currency[currency] ?? -1) !== Math.abs(e.amount_minor)) r.amount_differences.push({ balance_transaction: t.id, key: own ? e.key : `outside_policy:${t.source}`, stripe_minor: Math.abs(e.amount_minor), ledger_minor: l.by_currency[currency] ?? l.amount_minor, currency });
      else if (own) r.matched.push({ balance_transaction: t.id, key: e.key, amount_minor: Math.abs(e.amount_minor), currency });
    }
  }
  for (const l of inPeriod) if (!seen.has(l.idempotency_key)) r.unknown_to_stripe.push({ key: l.idempotency_key, kind: l.kind, amount_minor: l.amount_minor, currency: l.currency, occurred_at: l.occurred_at });
  for (const p of extra.payouts ?? []) {
    const d = payoutDifference(p);
    if (d) r.payout_differences.push(d);
  }
  for (const o of extra.outsidePolicy ?? []) r.outside_policy.push({ ...o, balance_transaction: suspenseTxn.get(o.object_id) ?? null });
  r.ok = differencesOf(r).length === 0;
  return r;
}
