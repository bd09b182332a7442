import type Stripe from 'stripe';
import { DomainError, formatIsoUtc, isIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { stripeObject } from '../flows/booking/store.js';
import { entryKeysDatedIn, readEntriesByKeys, type JournalEntry } from '../flows/ledger/index.js';
import { isPlatformAccount } from '../flows/vocabulary.js';
import { expectedEntries, reconcile, type LedgerMovement, type PayoutComposition, type ReconciliationReport, type StripeMovement } from '../flows/reconciliation/match.js';
import { suspenseMovements } from '../flows/read-models/suspense.js';

/** `from` / `to` as the contract takes them: a date (UTC midnight) or an instant; `to` is exclusive. */
export function periodOf(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const norm = (v: string | undefined, name: string) => {
    if (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))) return `${v}T00:00:00Z`;
    if (v && isIsoUtc(v)) return v;
    throw new DomainError('validation_failed', `${name} must be a date YYYY-MM-DD or an ISO 8601 UTC instant`, { field: name });
  };
  const p = { from: norm(from, 'from'), to: norm(to, 'to') };
  if (Date.parse(p.to) <= Date.parse(p.from)) throw new DomainError('validation_failed', 'to must be after from', { field: 'to' });
  if (Date.parse(p.to) - Date.parse(p.from) > 93 * 86_400_000) throw new DomainError('validation_failed', 'a period is at most 93 days', { field: 'to' });
  return p;
}

/** What an entry moved on the platform's Stripe balance (any currency), or null if it did not touch it. */
function balanceMovement(e: JournalEntry): LedgerMovement | null {
  const lines = e.lines.filter((l) => isPlatformAccount(l.account, 'stripe_balance'));
  if (lines.length === 0) return null;
  const by_currency: Record<string, number> = {};
  for (const l of lines) by_currency[l.unit] = (by_currency[l.unit] ?? 0) + (l.direction === 'D' ? l.amount_minor : -l.amount_minor);
  for (const c of Object.keys(by_currency)) by_currency[c] = Math.abs(by_currency[c]!);
  const first = lines[0]!.unit;
  return { idempotency_key: e.idempotency_key, kind: e.kind, amount_minor: by_currency[first]!, currency: first, occurred_at: e.occurred_at, by_currency };
}

/**
 * Reads every balance transaction of the period from Stripe (all pages), names the payment intent
 * of each charge (from our links, else from Stripe), and matches them to the ledger.
 */
export async function reconcileWithStripe(db: Db, stripe: Stripe, period: { from: string; to: string }): Promise<ReconciliationReport> {
  // Both sides count the half-open period [from, to): Stripe's `created` is in whole seconds, so a
  // second is in the period when its start is (gte/lt the first whole second at or after each bound);
  // the ledger's side is entryKeysDatedIn, the suspense rows compared as instants.
  const s = (iso: string) => Math.ceil(Date.parse(iso) / 1000);
  const inPeriodAt = (iso: string) => Date.parse(iso) >= Date.parse(period.from) && Date.parse(iso) < Date.parse(period.to);
  const movements: StripeMovement[] = [];
  for await (const t of stripe.balanceTransactions.list({ created: { gte: s(period.from), lt: s(period.to) }, limit: 100 })) {
    const source = typeof t.source === 'string' ? t.source : (t.source as { id?: string } | null)?.id ?? null;
    let payment_intent: string | null = null;
    if ((t.type === 'charge' || t.type === 'payment') && source) {
      const linked = await stripeObject(db, source);
      payment_intent = (linked?.data.payment_intent as string | undefined) ?? null;
      if (!payment_intent) {
        const ch = await stripe.charges.retrieve(source).catch((e: unknown) => {
          // A charge Stripe lists a movement for but cannot show: the movement stays unexplained (named below).
          if ((e as { code?: string }).code === 'resource_missing') return null;
          throw e;
        });
        payment_intent = !ch ? null : typeof ch.payment_intent === 'string' ? ch.payment_intent : ch.payment_intent?.id ?? null;
      }
    }
    // a host's subscription invoice paid by card: invoice_payment.paid linked its PaymentIntent (flow 11)
    const paid = payment_intent ? await stripeObject(db, payment_intent) : undefined;
    const invoice = paid?.kind === 'invoice_payment_intent' ? { subscription_id: String(paid.data.subscription_id), invoice_id: String(paid.data.invoice_id) } : null;
    movements.push({ id: t.id, type: t.type, amount_minor: t.amount, fee_minor: t.fee, currency: t.currency, source, created: formatIsoUtc(t.created * 1000), payment_intent, exchange_rate: t.exchange_rate ?? null, invoice });
  }
  const keys = [...new Set(movements.flatMap((m) => [...expectedEntries(m).map((e) => e.key), ...(m.source ? [`outside_policy:${m.source}`] : [])]))];
  const found = keys.length > 0 ? await readEntriesByKeys(db, keys) : new Map<string, JournalEntry>();
  const byKey = new Map<string, LedgerMovement>();
  for (const [k, e] of found) {
    const m = balanceMovement(e);
    if (m) byKey.set(k, m);
  }
  const periodKeys = await entryKeysDatedIn(db, period);
  const inPeriod = [...(periodKeys.length > 0 ? await readEntriesByKeys(db, periodKeys) : new Map<string, JournalEntry>()).values()]
    .sort((a, b) => a.seq - b.seq).map(balanceMovement).filter((m): m is LedgerMovement => m !== null);
  // A platform payout must be the sum of what it paid out (automatic payouts: Stripe lists them by payout).
  const payouts: PayoutComposition[] = [];
  for (const m of movements.filter((x) => x.type === 'payout' && x.source)) {
    const po = await stripe.payouts.retrieve(m.source!).catch((e: unknown) => {
      // A payout Stripe lists a movement for but cannot show: its movement is still matched (or named missing) above.
      if ((e as { code?: string }).code === 'resource_missing') return null;
      throw e;
    });
    if (!po) continue;
    const transactions: PayoutComposition['transactions'] = [];
    if (po.automatic) for await (const t of stripe.balanceTransactions.list({ payout: po.id, limit: 100 })) transactions.push({ id: t.id, type: t.type, net_minor: t.net });
    payouts.push({ payout_id: po.id, amount_minor: po.amount, currency: po.currency, automatic: po.automatic, transactions });
  }
  const outsidePolicy = (await suspenseMovements(db)).movements
    .filter((m) => inPeriodAt(m.occurred_at))
    .map((m) => ({ object_id: m.object_id, object_kind: m.object_kind, amount_minor: m.amount_minor, currency: m.currency, direction: m.direction, reversed: m.reversed, reason: m.reason, occurred_at: m.occurred_at }));
  return reconcile(period.from, period.to, movements, byKey, inPeriod, { payouts, outsidePolicy });
}
