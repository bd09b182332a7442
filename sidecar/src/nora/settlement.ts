import type { CancellationOutcome } from './outcome.js';

/**
 * What a booking's accounts hold when its cancellation executes (balances on their normal side),
 * and how the guest's payment was split when it was posted.
 */
export type CancellationHoldings = {
  paid: boolean;
  /** The split posted at payment: what each booking liability received. */
  split: { host_share: number; platform_fees: number; taxes: number };
  held: { host_share: number; platform_fees: number; taxes: number };
  /** Host share already promised to a transfer in flight: no longer the booking's to release. */
  transfer_in_flight: number;
};

/** The final line amounts of a cancellation's entries: the postings write exactly these. */
export type CancellationSettlement = {
  refund_due: number;
  host_share_from_held: number;
  host_share_from_receivable: number;
  fees_from_held: number;
  fees_from_revenue: number;
  taxes_from_held: number;
  taxes_from_payable: number;
  fees_kept_recognised: number;
  taxes_kept_recognised: number;
  host_penalty: number;
};

/**
 * Turns a cancellation outcome into ledger amounts. What the outcome releases comes from the
 * booking's liabilities while they still hold it, and the remainder from where it went after
 * settlement (the host's receivable once paid out, recognised revenue, taxes payable). The kept fees
 * and taxes are recognised from what the booking still holds after the release.
 */
export function settleCancellation(o: CancellationOutcome, h: CancellationHoldings): CancellationSettlement {
  const released = {
    host_share: h.paid ? Math.max(0, h.split.host_share - o.host_payout) : 0,
    fees: h.paid ? Math.max(0, h.split.platform_fees - o.platform_fee_kept) : 0,
    taxes: h.paid ? Math.max(0, h.split.taxes - o.taxes_kept) : 0,
  };
  const take = (available: number, amount: number) => {
    const first = Math.min(Math.max(0, available), amount);
    return [first, amount - first] as const;
  };
  const [host_share_from_held, host_share_from_receivable] = take(h.held.host_share - h.transfer_in_flight, released.host_share);
  const [fees_from_held, fees_from_revenue] = take(h.held.platform_fees, released.fees);
  const [taxes_from_held, taxes_from_payable] = take(h.held.taxes, released.taxes);
  return {
    refund_due: h.paid ? o.refund_to_guest : 0,
    host_share_from_held, host_share_from_receivable, fees_from_held, fees_from_revenue, taxes_from_held, taxes_from_payable,
    fees_kept_recognised: Math.min(o.platform_fee_kept, Math.max(0, h.held.platform_fees - fees_from_held)),
    taxes_kept_recognised: Math.min(o.taxes_kept, Math.max(0, h.held.taxes - taxes_from_held)),
    host_penalty: o.host_penalty,
  };
}
