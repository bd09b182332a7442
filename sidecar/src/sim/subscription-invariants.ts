import type { Db } from '../db/connect.js';
import type { StripeFake } from '../stripe-fake/index.js';
import { readEntries } from '../flows/ledger/index.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the fake's own Billing objects

/**
 * Host subscriptions after a history (money-flows flows 11–13), each invoice at the Stripe fake
 * against the ledger: every issued invoice posted once; every invoice Stripe collected by card
 * recognised once as cash, with its Stripe fee; every invoice paid out of band by an offset
 * offset once and never also as cash; no offset deducted twice (the offset receivable never below
 * zero); and each host's subscription receivable equal to what Stripe still shows open.
 */
export async function checkSubscriptions(db: Db, fake: StripeFake, problems: string[]): Promise<void> {
  const invoices = [...fake.billing.invoices.values()].filter((i: Obj) => i.status !== 'draft');
  if (invoices.length === 0) return;
  const entries = await readEntries(db);
  const byKey = new Map(entries.map((e) => [e.idempotency_key, e]));
  const stripeBalance = (key: string) => (byKey.get(key)?.lines ?? []).filter((l) => l.account.startsWith('platform:stripe_balance:')).reduce((s, l) => s + (l.direction === 'D' ? l.amount_minor : -l.amount_minor), 0);
  const hostOf = new Map<string, string>();
  for (const s of fake.billing.subscriptions.values()) hostOf.set(String(s.id), String(s.metadata?.host_id));
  const open = new Map<string, number>();
  const undoneOf = new Map<string, number>();
  for (const inv of invoices as Obj[]) {
    const sub = String(inv.parent?.subscription_details?.subscription);
    const key = (what: string) => `subscription:${sub}:${what}:${inv.id}`;
    if (inv.amount_due > 0 && !byKey.has(key('invoice'))) problems.push(`subscription invoice ${inv.id} (${inv.status}, ${inv.amount_due}) not posted`);
    const card = inv.status === 'paid' && !inv.paid_out_of_band && inv.amount_paid > 0;
    if (card && stripeBalance(key('payment')) !== inv.amount_paid) problems.push(`subscription invoice ${inv.id} paid ${inv.amount_paid} by card at Stripe, the ledger's cash for it ${stripeBalance(key('payment'))}`);
    if (!card && byKey.has(key('payment'))) problems.push(`subscription invoice ${inv.id} (${inv.status}${inv.paid_out_of_band ? ', out of band' : ''}) has a cash payment entry Stripe never collected`);
    // An offset made while Stripe had already collected the invoice by card (reported late) is undone by a correcting entry.
    const undone = byKey.has(key('offset_undone'));
    if (undone) undoneOf.set(hostOf.get(sub) ?? '?', (undoneOf.get(hostOf.get(sub) ?? '?') ?? 0) + inv.amount_paid);
    if (inv.paid_out_of_band !== true && byKey.has(key('offset')) && !undone) problems.push(`subscription invoice ${inv.id} offset in the ledger but not paid out of band at Stripe (${inv.status})`);
    if (inv.paid_out_of_band === true && undone) problems.push(`subscription invoice ${inv.id} paid out of band at Stripe, yet its offset was undone`);
    if (inv.paid_out_of_band === true && !byKey.has(key('offset'))) problems.push(`subscription invoice ${inv.id} paid out of band at Stripe without its offset entry`);
    if (inv.status === 'open') open.set(hostOf.get(sub) ?? '?', (open.get(hostOf.get(sub) ?? '?') ?? 0) + inv.amount_remaining);
  }
  // each card payment's Stripe fee recognised once, under the subscription's key
  for (const p of fake.billing.invoicePayments.values() as IterableIterator<Obj>) {
    const inv = fake.billing.invoices.get(String(p.invoice));
    const pi = fake.state.paymentIntents.get(String(p.payment?.payment_intent));
    const txn = pi ? fake.state.balanceTransactions.get(String(fake.state.charges.get(String(pi.latest_charge))?.balance_transaction)) : undefined;
    if (!inv || !txn || txn.fee <= 0) continue;
    const fee = byKey.get(`subscription:${String(inv.parent?.subscription_details?.subscription)}:fee:${txn.id}`);
    const amount = (fee?.lines ?? []).filter((l) => l.account.startsWith('platform:stripe_fees:')).reduce((s, l) => s + (l.direction === 'D' ? l.amount_minor : -l.amount_minor), 0);
    if (amount !== txn.fee) problems.push(`Stripe fee ${txn.fee} of subscription invoice ${inv.id} (${txn.id}): the ledger recognised ${amount}`);
  }
  // per host: the receivable ties out with Stripe's open invoices; an offset is deducted at most once
  const balance = new Map<string, number>();
  for (const e of entries) for (const l of e.lines) if (/^host:.*:subscription_(offset_)?receivable:/.test(l.account)) balance.set(l.account, (balance.get(l.account) ?? 0) + (l.direction === 'D' ? l.amount_minor : -l.amount_minor));
  for (const host of new Set(hostOf.values())) {
    const receivable = balance.get(`host:${host}:subscription_receivable:USD`) ?? 0;
    if (receivable !== (open.get(host) ?? 0)) problems.push(`host ${host}: subscription receivable ${receivable} in the ledger, ${open.get(host) ?? 0} open at Stripe`);
    const offset = balance.get(`host:${host}:subscription_offset_receivable:USD`) ?? 0;
    // Below zero only by an undone offset a payout had deducted, owed back until the host's next payout returns it.
    if (offset < -(undoneOf.get(host) ?? 0)) problems.push(`host ${host}: subscription offsets deducted ${-offset} more than were taken (an offset deducted twice)`);
  }
}
