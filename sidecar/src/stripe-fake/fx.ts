/**
 * Settlement in another currency (issue #12): Stripe converts a charge presented in one currency
 * into the platform's settlement currency at an exchange rate; the balance transaction carries the
 * settled amount, the fee in the settlement currency and `exchange_rate`.
 */
import type Stripe from 'stripe';
import type { StripeFakeState } from './model.js';
import { processingFee } from './objects.js';

export function settleChargeIn(state: StripeFakeState, charge_id: string, currency: string, exchange_rate: number): Stripe.BalanceTransaction {
  const ch = state.charges.get(charge_id);
  if (!ch || typeof ch.balance_transaction !== 'string') throw new RangeError(`no charge ${charge_id} with a balance transaction`);
  const txn = state.balanceTransactions.get(ch.balance_transaction)!;
  const amount = Math.round(ch.amount * exchange_rate);
  const fee = processingFee(amount, currency);
  Object.assign(txn, {
    amount, currency, exchange_rate, fee, net: amount - fee,
    fee_details: [{ amount: fee, application: null, currency, description: 'Stripe processing fees', type: 'stripe_fee' }],
  });
  return txn;
}
