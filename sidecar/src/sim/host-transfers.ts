import type Stripe from 'stripe';

/**
 * What each host received at Stripe, for comparing a run with faults with the fault-free one:
 * transfers summed per host account, less their reversals, non-zero only.
 *
 * Summed per host: which of a host's payouts a penalty is deducted from follows the order the
 * payouts are decided in, which late deliveries legitimately change (seed 189). Less reversals: a
 * dispute lost (or a stay cancelled) after the payout is a transfer and its reversal, before it the
 * host's part withheld and no transfer — the same to the host (money-flows flow 10, "timing"), and
 * which one a run sees follows when a late account.updated lifts a hold (seed 2661: 272,958
 * transferred and 19,885 reversed against 253,073 transferred). Non-zero only, as the ledger's
 * balances: a transfer wholly reversed is no transfer at all.
 */
export function hostTransfersNet(transfers: Iterable<Stripe.Transfer>, reversals: Iterable<Stripe.TransferReversal>): string[] {
  const destinationOf = new Map<string, string>();
  const net = new Map<string, number>();
  const add = (destination: string, amount: number) => net.set(destination, (net.get(destination) ?? 0) + amount);
  for (const t of transfers) {
    destinationOf.set(t.id, String(t.destination));
    add(String(t.destination), t.amount);
  }
  // a reversal of a transfer the fake does not hold is its own line: it can only differ
  for (const r of reversals) add(destinationOf.get(String(r.transfer)) ?? `an unknown transfer ${String(r.transfer)}`, -r.amount);
  return [...net].filter(([, amount]) => amount !== 0).map(([destination, amount]) => `stripe transfers less reversals to ${destination} ${amount}`);
}
