import type { Db } from '../../db/connect.js';
import { findAccounts, openAccount, type AccountType } from '../ledger/index.js';

/**
 * The chart of accounts (docs/ledger.md). Codes are built here only, so every posting names
 * accounts the same way. Booking-scoped liabilities keep each booking's money apart until it is
 * earned, paid out or refunded.
 */
export const chart = {
  stripeBalance: (c: string) => acct(`platform:stripe_balance:${c}`, 'asset', c, `Platform Stripe balance (${c})`),
  stripeFees: (c: string) => acct(`platform:stripe_fees:${c}`, 'expense', c, `Stripe processing fees (${c})`),
  feeRevenue: (c: string) => acct(`platform:fee_revenue:${c}`, 'revenue', c, `Platform fee revenue (${c})`),
  penaltyRevenue: (c: string) => acct(`platform:host_penalty_revenue:${c}`, 'revenue', c, `Host cancellation penalties (${c})`),
  taxesPayable: (c: string) => acct(`platform:taxes_payable:${c}`, 'liability', c, `Taxes payable (${c})`),
  disputeLosses: (c: string) => acct(`platform:dispute_losses:${c}`, 'expense', c, `Dispute losses (${c})`),
  subscriptionRevenue: (c: string) => acct(`platform:subscription_revenue:${c}`, 'revenue', c, `Host subscription revenue (${c})`),
  // host subscriptions (#14)
  deferredSubscriptionRevenue: (c: string) => acct(`platform:deferred_subscription_revenue:${c}`, 'liability', c, `Subscription revenue collected for periods not yet served (${c})`),
  subscriptionProration: (c: string) => acct(`platform:subscription_proration:${c}`, 'revenue', c, `Subscription proration charges and credits (${c})`),
  subscriptionDiscounts: (c: string) => acct(`platform:subscription_discounts:${c}`, 'revenue', c, `Subscription discounts, contra-revenue (${c})`),
  subscriptionBadDebt: (c: string) => acct(`platform:subscription_bad_debt:${c}`, 'expense', c, `Subscription invoices written off (${c})`),
  hostSubscriptionReceivable: (h: string, c: string) => acct(`host:${h}:subscription_receivable:${c}`, 'asset', c, `Subscription invoices of host ${h} not yet collected`),
  hostOffsetReceivable: (h: string, c: string) => acct(`host:${h}:subscription_offset_receivable:${c}`, 'asset', c, `Overdue subscription invoices of host ${h}, deducted from the next payout`),
  hostBillingCredit: (h: string, c: string) => acct(`host:${h}:billing_credit:${c}`, 'liability', c, `Host ${h}'s customer credit balance at Stripe`),
  hostShare: (b: string, c: string) => acct(`booking:${b}:host_share:${c}`, 'liability', c, `Host share held for booking ${b}`),
  platformFees: (b: string, c: string) => acct(`booking:${b}:platform_fees:${c}`, 'liability', c, `Unearned platform fees of booking ${b}`),
  bookingTaxes: (b: string, c: string) => acct(`booking:${b}:taxes:${c}`, 'liability', c, `Taxes collected for booking ${b}`),
  disputeHeld: (b: string, c: string) => acct(`booking:${b}:dispute_held:${c}`, 'asset', c, `Funds a card dispute on booking ${b} withdrew, until it closes`),
  refundDue: (b: string, c: string) => acct(`booking:${b}:refund_due:${c}`, 'liability', c, `Refund owed to the guest of booking ${b}`),
  hostPayable: (h: string, c: string) => acct(`host:${h}:payable:${c}`, 'liability', c, `Owed to host ${h}, transfer pending`),
  hostReceivable: (h: string, c: string) => acct(`host:${h}:receivable:${c}`, 'asset', c, `Owed by host ${h}: paid-out shares to recover by transfer reversal`),
  hostPenalties: (h: string, c: string) => acct(`host:${h}:penalties_receivable:${c}`, 'asset', c, `Cancellation penalties owed by host ${h}, deducted from payouts`),
  guestCredits: (g: string) => acct(`guest:${g}:credits`, 'liability', 'CREDIT', `Loyalty credits of guest ${g}`),
  creditsIssued: () => acct('platform:loyalty_credits_issued', 'equity', 'CREDIT', 'Loyalty credits issued (non-cash)'),
};

export type ChartAccount = { code: string; type: AccountType; unit: string; name: string };

function acct(code: string, type: AccountType, unit: string, name: string): ChartAccount {
  return { code, type, unit, name };
}

/** Opens the accounts an entry needs (idempotent), at the event time that first needs them. One read for all. */
export async function ensureAccounts(db: Db, accounts: ChartAccount[], opened_at: string): Promise<void> {
  const open = await findAccounts(db, accounts.map((a) => a.code));
  const missing = new Map<string, ChartAccount>();
  for (const a of accounts) {
    const existing = open.get(a.code);
    // An existing account of another type or unit is a conflict: openAccount says so, typed.
    if (existing && (existing.type !== a.type || existing.unit !== a.unit)) await openAccount(db, { ...a, opened_at });
    if (!existing) missing.set(a.code, a);
  }
  if (missing.size === 0) return;
  // New accounts in one statement; one opened meanwhile by another writer is left as it is, then checked.
  const rows = [...missing.values()].map((a) => ({ code: a.code, type: a.type, unit: a.unit, name: a.name, opened_at }));
  // In chunks: SQLite's compound insert takes at most 500 rows (an entry has at most 64 lines anyway).
  for (let i = 0; i < rows.length; i += 200) await db('accounts').insert(rows.slice(i, i + 200)).onConflict('code').ignore();
  const now = await findAccounts(db, [...missing.keys()]);
  for (const [code, a] of missing) {
    const got = now.get(code);
    if (!got || got.type !== a.type || got.unit !== a.unit) await openAccount(db, { ...a, opened_at });
  }
}
