import { chart, parseAccount } from '../flows/vocabulary.js';

/**
 * Where the money ended, in a form comparable across fault modes (issue #18): each account's net
 * balance per unit, and what Stripe transferred to each host, with what a host still owes counted
 * as settled.
 *
 * Why settle what a host owes before comparing: a payout deducts what its host owes (penalties,
 * then subscription offsets) when it is decided (money-flows flows 3 and 5: "each later payout").
 * Faults legitimately change which payouts are decided after a penalty is booked. Seed 2612 with
 * `--faults late`: a late `account.updated` (restored) held a payout past the tick that paid it in
 * the fault-free run; a host cancellation then booked a 28,450 penalty, and the payout released at
 * the next tick deducted it (transfer 89,017). The fault-free run had paid 117,467 before the
 * penalty existed, and no payout of that host came after: the penalty stayed receivable. Both books
 * follow the policy; they differ only in whether a receivable became cash kept from a transfer.
 * So a host's receivable still owed at the end is counted as if deducted now: the host's transfers
 * less it, the platform's Stripe balance plus it — the same in both runs (89,017 and 30,177).
 *
 * Only what is owed (≥ 0) is settled. A negative penalty receivable means more was deducted than
 * owed (seed 189's double deduction): it is not settled away — it stays a line of its own, so the
 * runs differ — and it is a problem of the run by itself. A negative subscription offset receivable
 * is money owed back to the host — an offset undone after a payout deducted it (the invoice was paid
 * by card first, reported late: seed 2024) — returned by the host's next payout, so settled like a
 * debt the other way; that it never exceeds what was undone is checked in subscription-invariants.ts.
 */
export type NetBalance = { account: string; unit: string; net: bigint };
/** A transfer at Stripe, named by the host of its booking (or, if none is known, its destination). */
export type HostTransfer = { host: string; currency: string; amount: number };
/** What a host paid by card for subscription invoices (the ledger's payment entries) and the Stripe fees on it. */
export type HostCardPayments = { host: string; currency: string; paid_minor: number; fee_minor: number };
export type MoneyEnded = { movements: string[]; owed: string[]; problems: string[] };

/** What a host owes and a payout deducts (the chart's hostPenalties, hostOffsetReceivable), read through the chart's own parser. */
function owedBy(account: string): { host: string; role: 'penalties_receivable' | 'subscription_offset_receivable'; unit: string } | undefined {
  const a = parseAccount(account);
  if (a?.scope !== 'host' || (a.role !== 'penalties_receivable' && a.role !== 'subscription_offset_receivable')) return undefined;
  return { host: a.owner, role: a.role, unit: a.unit };
}

export function moneyEnded(balances: NetBalance[], transfers: HostTransfer[], cardPayments: HostCardPayments[] = []): MoneyEnded {
  const problems: string[] = [];
  const owed: string[] = [];
  const lines = new Map<string, bigint>();
  const add = (key: string, v: bigint) => lines.set(key, (lines.get(key) ?? 0n) + v);
  const toHost = new Map<string, bigint>();
  const addToHost = (host: string, currency: string, v: bigint) => toHost.set(`${host} ${currency}`, (toHost.get(`${host} ${currency}`) ?? 0n) + v);
  for (const t of transfers) addToHost(t.host, t.currency.toUpperCase(), BigInt(t.amount));
  // A subscription invoice paid by card counts as if deducted from the host's transfers, its Stripe
  // fee as if never paid: whether an overdue invoice ends paid by card or offset from a payout follows
  // the order the host's payment and our out-of-band payment reach Stripe, which an outage or a late
  // delivery legitimately changes (seed 1597: the offset's invoices.pay held up by an outage, the
  // host paid by card meanwhile, the offset undone). Both settle the same invoice; only Stripe's fee
  // differs. That each card payment and fee is recognised once is checked in subscription-invariants.ts.
  for (const p of cardPayments) {
    const unit = p.currency.toUpperCase();
    addToHost(p.host, unit, -BigInt(p.paid_minor));
    add(`${chart.stripeBalance(unit).code} ${unit}`, BigInt(p.fee_minor));
    add(`${chart.stripeFees(unit).code} ${unit}`, -BigInt(p.fee_minor));
  }
  for (const b of balances) {
    const o = owedBy(b.account);
    // An undone subscription offset a payout had deducted is owed back (below zero) until the next payout returns it: settled the same way.
    if (o && o.unit === b.unit && (b.net > 0n || (b.net < 0n && o.role === 'subscription_offset_receivable'))) {
      owed.push(`${b.account} ${b.unit} ${b.net}`);
      addToHost(o.host, b.unit, -b.net);
      add(`${chart.stripeBalance(b.unit).code} ${b.unit}`, b.net);
      continue;
    }
    if (o?.role === 'penalties_receivable' && b.net < 0n) problems.push(`${b.account} ends at ${b.net}: more penalty deducted from payouts than the host owed`);
    add(`${b.account} ${b.unit}`, b.net);
  }
  const movements = [...lines].filter(([, v]) => v !== 0n).map(([k, v]) => `${k} ${v}`);
  for (const [k, v] of toHost) if (v !== 0n) movements.push(`stripe transfers to ${k} less what is still owed ${v}`);
  return { movements: movements.sort(), owed: owed.sort(), problems };
}
