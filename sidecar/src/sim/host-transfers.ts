import type Stripe from 'stripe';
import type { HostTransfer } from './money-ended.js';

/**
 * What Stripe moved to each host, for comparing a run with faults with the fault-free one
 * (money-ended.ts sums it per host): every transfer, and every reversal as a negative amount named
 * by its transfer's host.
 *
 * Less reversals: a dispute lost (or a stay cancelled) after the payout is a transfer and its
 * reversal, before it the host's part withheld and no transfer — the same to the host (money-flows
 * flow 10, "timing"), and which one a run sees follows when a late account.updated lifts a hold
 * (seed 2661: 272,958 transferred and 19,885 reversed against 253,073 transferred).
 */
export function transfersLessReversals(transfers: Iterable<Stripe.Transfer>, reversals: Iterable<Stripe.TransferReversal>, hostOf: (booking_id: string) => string | undefined): HostTransfer[] {
  const out: HostTransfer[] = [];
  const byId = new Map<string, HostTransfer>();
  for (const t of transfers) {
    const x = { host: hostOf(String(t.metadata?.booking_id ?? t.transfer_group)) ?? `account ${String(t.destination)}`, currency: String(t.currency), amount: Number(t.amount) };
    byId.set(t.id, x);
    out.push(x);
  }
  for (const r of reversals) {
    const t = byId.get(String(r.transfer));
    // a reversal of a transfer the fake does not hold is its own line: it can only differ
    out.push({ host: t?.host ?? `an unknown transfer ${String(r.transfer)}`, currency: t?.currency ?? String(r.currency), amount: -Number(r.amount) });
  }
  return out;
}
