import { DomainError } from '../kernel/index.js';
import type { BookingFacts } from './facts.js';
import { redeemValueMinor } from './loyalty.js';
import type { LoyaltyDocument } from './schema.js';

/** The booking's price as the guest owes it, with redeemed credits taken off the service fee. */
export type Price = {
  nightly_total: number;
  cleaning_fee: number;
  listing_price: number;
  /** the guest service fee as booked, before credits */
  guest_service_fee: number;
  /** money value of the redeemed credits (≤ guest_service_fee) */
  credits_discount: number;
  /** the part of the service fee paid in money */
  service_fee_cash: number;
  taxes: number;
  /** nightly + cleaning + service fee in money + taxes */
  expected_total: number;
  credits_redeemed: number;
};

/** `loyalty` values redeemed credits; it may be omitted only when no credits were redeemed. */
export function priceOf(facts: BookingFacts, loyalty: LoyaltyDocument | undefined): Price {
  const credits_redeemed = facts.credits_redeemed ?? 0;
  if (credits_redeemed > 0 && !loyalty) {
    throw new DomainError('validation_failed', 'credits were redeemed on this booking: the loyalty policy is needed to value them', { field: 'credits_redeemed' });
  }
  const credits_discount = credits_redeemed > 0 && loyalty ? redeemValueMinor(loyalty, facts.currency, credits_redeemed, facts.guest_service_fee) : 0;
  const service_fee_cash = facts.guest_service_fee - credits_discount;
  const listing_price = facts.nightly_total + facts.cleaning_fee;
  return {
    nightly_total: facts.nightly_total,
    cleaning_fee: facts.cleaning_fee,
    listing_price,
    guest_service_fee: facts.guest_service_fee,
    credits_discount,
    service_fee_cash,
    taxes: facts.taxes,
    expected_total: listing_price + service_fee_cash + facts.taxes,
    credits_redeemed,
  };
}
