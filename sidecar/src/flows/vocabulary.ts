/**
 * The ledger's vocabulary, in one place: the kinds of money movement (entry kinds) and the chart of
 * accounts (docs/ledger.md). Nothing here reads a database; everything is a closed union so that a
 * new kind of money movement or a new account role is a compile error in every `switch` that
 * interprets one (see `assertNever`). Every other file names kinds through `KIND` and accounts
 * through `chart` / `parseAccount`, never as string literals or hand-built prefixes.
 */

// ---------------------------------------------------------------------------------------------
// Entry kinds
// ---------------------------------------------------------------------------------------------

export const ENTRY_KINDS = [
  'payment_received',
  'stripe_fee',
  'cancellation_refund_due',
  'fees_recognised',
  'host_penalty',
  'refund_paid',
  'host_transfer',
  'host_recovery',
  'dispute_withdrawal',
  'dispute_reinstatement',
  'dispute_won',
  'dispute_lost',
  'credits_earned',
  'credits_redeemed',
  'credits_expired',
  // host subscriptions (#14)
  'subscription_invoiced',
  'subscription_payment',
  'subscription_offset',
  // an offset undone after a payout deducted it (the invoice was paid by card first): returned with the host's next payout
  'subscription_offset_returned',
  'subscription_written_off',
  'subscription_credit_note',
  'subscription_revenue_recognised',
  'reversal',
  // issue #12: a paid booking's price changed (a decrease owed back; the payment of a balance due)
  'modification_refund_due',
  'balance_payment',
  // issue #12: a charge settled in another currency than it was made in (Stripe's exchange rate)
  'fx_conversion',
  // issue #12: the platform's Stripe balance paid out to its bank (created, arrived, or returned)
  'platform_payout',
  'platform_payout_paid',
  'platform_payout_failed',
  // A real movement Stripe reported that no decision intended (a Dashboard refund, a forged or
  // excessive decision id): the ledger reflects the bank through the suspense account (issue #13).
  'movement_outside_policy',
] as const;

/** Every kind of journal entry the system posts. Closed: add a kind here and the compiler names every place it matters. */
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The kinds by name (`KIND.payment_received`), so no other file spells a kind as a literal. */
export const KIND: { readonly [K in EntryKind]: K } = Object.freeze(Object.fromEntries(ENTRY_KINDS.map((k) => [k, k]))) as { readonly [K in EntryKind]: K };

export function isEntryKind(v: unknown): v is EntryKind {
  return typeof v === 'string' && (ENTRY_KINDS as readonly string[]).includes(v);
}

/** A kind read back from storage: the ledger only ever stored kinds of this union. */
export function entryKindOf(v: string): EntryKind {
  if (!isEntryKind(v)) throw new Error(`invariant violated: stored entry kind ${v} is not in the vocabulary`);
  return v;
}

/** For exhaustive switches: `default: return assertNever(kind)` fails to compile when a case is missing. */
export function assertNever(x: never): never {
  throw new Error(`invariant violated: unhandled ${String(x)}`);
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

export type AccountType = 'asset' | 'liability' | 'revenue' | 'expense' | 'equity';

/** Accounts of the platform itself, one per currency (or one in CREDIT for loyalty_credits_issued). */
export const PLATFORM_ROLES = ['stripe_balance', 'stripe_fees', 'fee_revenue', 'host_penalty_revenue', 'taxes_payable', 'dispute_losses', 'subscription_revenue', 'loyalty_credits_issued', 'fx_conversion', 'suspense', 'payouts_in_transit', 'bank',
  'deferred_subscription_revenue', 'subscription_proration', 'subscription_discounts', 'subscription_bad_debt'] as const;
/** Liabilities and holds of one booking: its money stays apart until earned, paid out or refunded. */
export const BOOKING_ROLES = ['host_share', 'platform_fees', 'taxes', 'dispute_held', 'refund_due'] as const;
/** What the platform owes a host or a host owes the platform. */
export const HOST_ROLES = ['payable', 'receivable', 'penalties_receivable', 'subscription_receivable', 'subscription_offset_receivable', 'billing_credit'] as const;
export const GUEST_ROLES = ['credits'] as const;

export type PlatformRole = (typeof PLATFORM_ROLES)[number];
export type BookingRole = (typeof BOOKING_ROLES)[number];
export type HostRole = (typeof HOST_ROLES)[number];
export type GuestRole = (typeof GUEST_ROLES)[number];

/** What an account code means, parsed once here for every read model. */
export type ParsedAccount =
  | { scope: 'platform'; owner: null; role: PlatformRole; unit: string }
  | { scope: 'booking'; owner: string; role: BookingRole; unit: string }
  | { scope: 'host'; owner: string; role: HostRole; unit: string }
  | { scope: 'guest'; owner: string; role: GuestRole; unit: string };

export type ChartAccount = { code: string; type: AccountType; unit: string; name: string };

function acct(code: string, type: AccountType, unit: string, name: string): ChartAccount {
  return { code, type, unit, name };
}

/** The chart of accounts: codes are built here only, so every posting names accounts the same way. */
export const chart = {
  stripeBalance: (c: string) => acct(`platform:stripe_balance:${c}`, 'asset', c, `Platform Stripe balance (${c})`),
  stripeFees: (c: string) => acct(`platform:stripe_fees:${c}`, 'expense', c, `Stripe processing fees (${c})`),
  feeRevenue: (c: string) => acct(`platform:fee_revenue:${c}`, 'revenue', c, `Platform fee revenue (${c})`),
  penaltyRevenue: (c: string) => acct(`platform:host_penalty_revenue:${c}`, 'revenue', c, `Host cancellation penalties (${c})`),
  taxesPayable: (c: string) => acct(`platform:taxes_payable:${c}`, 'liability', c, `Taxes payable (${c})`),
  disputeLosses: (c: string) => acct(`platform:dispute_losses:${c}`, 'expense', c, `Dispute losses (${c})`),
  /** Currency conversion clearing (issue #12): one leg per currency of each conversion Stripe made at settlement. */
  fxConversion: (c: string) => acct(`platform:fx_conversion:${c}`, 'asset', c, `Currency conversions at settlement (${c})`),
  suspense: (c: string) => acct(`platform:suspense:${c}`, 'asset', c, `Movements outside policy, awaiting explanation (${c})`),
  /** Platform payouts (issue #12): left the Stripe balance, not yet arrived at the platform's bank. */
  payoutsInTransit: (c: string) => acct(`platform:payouts_in_transit:${c}`, 'asset', c, `Stripe payouts on their way to the platform's bank (${c})`),
  platformBank: (c: string) => acct(`platform:bank:${c}`, 'asset', c, `The platform's bank account, as Stripe paid it out (${c})`),
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

const includes = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/**
 * What an account code means, or undefined for a code outside the chart. The one parser of codes:
 * read models ask `parseAccount(line.account)` instead of rebuilding prefixes.
 */
export function parseAccount(code: string): ParsedAccount | undefined {
  const p = code.split(':');
  switch (p[0]) {
    case 'platform':
      if (p.length === 2 && p[1] === 'loyalty_credits_issued') return { scope: 'platform', owner: null, role: 'loyalty_credits_issued', unit: 'CREDIT' };
      return p.length === 3 && includes(PLATFORM_ROLES, p[1]!) ? { scope: 'platform', owner: null, role: p[1], unit: p[2]! } : undefined;
    case 'booking':
      return p.length === 4 && includes(BOOKING_ROLES, p[2]!) ? { scope: 'booking', owner: p[1]!, role: p[2], unit: p[3]! } : undefined;
    case 'host':
      return p.length === 4 && includes(HOST_ROLES, p[2]!) ? { scope: 'host', owner: p[1]!, role: p[2], unit: p[3]! } : undefined;
    case 'guest':
      return p.length === 3 && includes(GUEST_ROLES, p[2]!) ? { scope: 'guest', owner: p[1]!, role: p[2], unit: 'CREDIT' } : undefined;
    default:
      return undefined;
  }
}

/** True when `code` is the platform's account of `role` (any currency). */
export function isPlatformAccount(code: string, role: PlatformRole): boolean {
  const a = parseAccount(code);
  return a?.scope === 'platform' && a.role === role;
}

/** True when `code` is booking `booking_id`'s account of `role` (any currency). */
export function isBookingAccount(code: string, booking_id: string, role: BookingRole): boolean {
  const a = parseAccount(code);
  return a?.scope === 'booking' && a.owner === booking_id && a.role === role;
}

/** True when `code` is host `host_id`'s account of `role` (any currency). */
export function isHostAccount(code: string, host_id: string, role: HostRole): boolean {
  const a = parseAccount(code);
  return a?.scope === 'host' && a.owner === host_id && a.role === role;
}
