/**
 * What a batch must load before its handlers run, by kind. The dispatcher derives most of it from
 * the batch's events before any handler runs (prefetch.ts); a handler that reads something not
 * loaded throws `NeedsLoad`, its effects are dropped, the missing rows are loaded (a few
 * statements for all of them) and the handler runs again over the same state — so a handler is
 * never wrong for lack of a prefetch, only slower.
 */
export type Needs = {
  bookings: Set<string>;
  paymentIntents: Set<string>;
  objects: Set<string>;
  entryKeys: Set<string>;
  /** Accounts not scoped to one booking (host penalties, guest credits): their line sums. */
  accountCodes: Set<string>;
  hosts: Set<string>;
  stripeAccounts: Set<string>;
  guests: Set<string>;
  /** Credit lots expiring before this instant (clock ticks). */
  expiringBefore: string | null;
  /** The bookings awaiting a payout (clock ticks). */
  awaitingPayout: boolean;
  /** …of which only those whose payout can be due by this instant (the batch's latest tick); null: all. */
  payoutsDueBy: string | null;
  /** Every host-subscription row (#14: subscription and invoice events, requests, ticks). */
  subscriptions: boolean;
  /** Connected accounts whose host is asked for (a subscription's metadata.host_account). */
  accountHosts: Set<string>;
  /** Outbound intents whose re-drive history a decision reads (issue #12). */
  outboxIntents: Set<string>;
  /** The intents waiting for a re-drive decision (clock ticks). */
  awaitingRedrive: boolean;
};

export function noNeeds(): Needs {
  return {
    bookings: new Set(), paymentIntents: new Set(), objects: new Set(), entryKeys: new Set(), accountCodes: new Set(),
    hosts: new Set(), stripeAccounts: new Set(), guests: new Set(), expiringBefore: null, awaitingPayout: false, payoutsDueBy: null, subscriptions: false, accountHosts: new Set(),
    outboxIntents: new Set(), awaitingRedrive: false,
  };
}

export function isEmpty(n: Needs): boolean {
  return n.bookings.size + n.paymentIntents.size + n.objects.size + n.entryKeys.size + n.accountCodes.size + n.hosts.size + n.stripeAccounts.size + n.guests.size + n.outboxIntents.size === 0
    && n.expiringBefore === null && !n.awaitingPayout && !n.subscriptions && n.accountHosts.size === 0 && !n.awaitingRedrive;
}

/** Thrown by a state read that was not loaded: the dispatcher loads it and runs the handler again. */
export class NeedsLoad extends Error {
  constructor(readonly needs: Needs) {
    super('state not loaded yet');
    this.name = 'NeedsLoad';
  }

  static of(fill: (n: Needs) => void): NeedsLoad {
    const n = noNeeds();
    fill(n);
    return new NeedsLoad(n);
  }
}
