export type Actor = 'guest' | 'host';

/** Amounts in minor units of `currency`; credit_to_guest in loyalty credits (non-cash). */
export type CancellationOutcome = {
  currency: string;
  refund_to_guest: number;
  credit_to_guest: number;
  host_payout: number;
  platform_fee_kept: number;
  taxes_kept: number;
  host_penalty: number;
  host_recovery: number;
  lines: {
    nightly_refund: number;
    cleaning_refund: number;
    service_fee_refund: number;
    taxes_refund: number;
    nightly_kept: number;
    cleaning_kept: number;
    host_fee: number;
    service_fee_kept: number;
  };
};

export function zeroOutcome(currency: string): CancellationOutcome {
  return {
    currency, refund_to_guest: 0, credit_to_guest: 0, host_payout: 0, platform_fee_kept: 0, taxes_kept: 0, host_penalty: 0, host_recovery: 0,
    lines: { nightly_refund: 0, cleaning_refund: 0, service_fee_refund: 0, taxes_refund: 0, nightly_kept: 0, cleaning_kept: 0, host_fee: 0, service_fee_kept: 0 },
  };
}
