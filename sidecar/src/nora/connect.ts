/**
 * Whether a host's connected account can receive a transfer now (issue #12). A payout to an
 * account that cannot is held — not attempted, not failed — and released when it can.
 */
export type ConnectAccountFacts = { transfers_capability: string; payouts_enabled: boolean; charges_enabled: boolean; disabled_reason: string | null };

export function connectHold(account: ConnectAccountFacts | undefined): { held: false } | { held: true; code: 'account_restricted'; reason: string } {
  if (!account) return { held: false }; // never reported: nothing known against it (Stripe refuses if it must)
  if (account.transfers_capability === 'active') return { held: false };
  const why = account.disabled_reason ? `requirements: ${account.disabled_reason}` : `transfers capability ${account.transfers_capability}`;
  return { held: true, code: 'account_restricted', reason: `the host's Stripe account cannot receive transfers (${why})` };
}
