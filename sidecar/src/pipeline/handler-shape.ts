import type { Effects } from '../flows/effects.js';
import type { BookingRecord } from '../flows/booking/store.js';
import type { BookingMoney } from '../flows/booking/money-view.js';
import type { CreditLot } from '../flows/booking/credits.js';
import type { DecisionRecord } from '../flows/evidence/decisions.js';
import type { PolicyRef } from '../flows/booking/store.js';
import type { EntryIntent } from '../flows/booking/entries.js';
import type { JournalEntry, PostResult } from '../flows/ledger/index.js';
import type { ChartAccount } from '../flows/vocabulary.js';
import type { BookingAction } from '../flows/booking/state-machine.js';
import type { InboxEvent } from '../sari/inbox.js';
import type { SubscriptionRows } from '../flows/subscriptions/store.js';
import type { PolicyVersion } from '../nora/index.js';
import type { HandlerResult } from './context.js';
import type { AccountState } from '../flows/booking/account-states.js';
import type { RedriveHistory } from './batch/redrive-load.js';

/**
 * The handler shape of the batch dispatcher: `(state, event) → effects`.
 *
 * A handler is a decision over state the dispatcher loaded for the whole batch before any handler
 * ran (a constant number of statements per batch). It never touches the database: it reads
 * `state`, decides (NORA for anything a rule decides), and records what should happen with
 * `state.effects` — ledger entries, evidence, transitions, links, outbox intents, flags… Each
 * recorded effect is visible to the handler's later reads and to the events after it in the batch
 * (a confirmation and its payment in one batch work as in two), and is written with the batch.
 *
 * To wait for a predecessor throw `ParkEvent`; to refuse for good throw `DomainError` or
 * `RefuseEvent` (context.ts). Either way the event's recorded effects are dropped, nothing of it
 * is written except its parking or dead letter, and the rest of the batch goes on.
 *
 * Determinism: read time only from `event.occurred_at` (and the event's data), never a clock;
 * derive ids from the event (`decisionIdFor`, `intentIdFor`); iterate loaded collections in the
 * order the state gives them (inbox/seq order).
 */
export type DecisionHandler = (state: HandlerState, event: DispatchEvent) => HandlerResult;

/** The event as a handler sees it: the stored inbox row and its payload, parsed and validated at the edge. */
export type DispatchEvent = Omit<InboxEvent, 'payload'> & { payload: Record<string, unknown> };

/** What a handler may read: the batch's loaded state with every effect recorded before it applied. */
export interface StateReads {
  booking(booking_id: string): BookingRecord | undefined;
  bookingIdForPaymentIntent(payment_intent_id: string): string | undefined;
  stripeObject(object_id: string): { object_id: string; kind: string; booking_id: string | null; data: Record<string, unknown> } | undefined;
  stripeObjectsOfBooking(booking_id: string, kind?: string): Array<{ object_id: string; kind: string; data: Record<string, unknown> }>;
  /** The booking's money read off its entries and transfer intents (as `bookingMoney`). */
  money(booking_id: string): BookingMoney;
  /** An account's balance on its normal side; 0 if never opened. */
  balance(account: ChartAccount): number;
  /** A posted (or recorded-in-this-batch) entry by idempotency key. */
  entry(idempotency_key: string): JournalEntry | undefined;
  decisionsOfBooking(booking_id: string): DecisionRecord[];
  /** The booking's entries (loaded with it, and those recorded in this batch), in seq order. */
  entriesOfBooking(booking_id: string): JournalEntry[];
  /** A pinned policy version, parsed (cached per process: a published version never changes). */
  policy(ref: PolicyRef | undefined): PolicyVersion;
  /** The current version of a policy in the log (the latest published), if any. */
  currentPolicy(kind: string, id: string): PolicyRef | undefined;
  policyVersionExists(kind: string, id: string, version: number): boolean;
  hostConnectedAccount(host_id: string): string | undefined;
  /** When the host's payout account last changed to ANOTHER account (event time); null for a first connection (issue #13). */
  hostAccountChangedAt(host_id: string): string | null;
  hostSubscriptionStatus(stripe_account_id: string | undefined): string | null;
  /** The host that connected this Stripe account last (host.connected), if any. */
  hostOfStripeAccount(stripe_account_id: string): string | undefined;
  /** An outbound intent with its re-drive history (issue #12); undefined if no such intent. */
  outboxIntent(intent_id: string): RedriveHistory | undefined;
  /** Intents whose ended rounds outnumber their grants: waiting for a re-drive decision, sorted. */
  intentsAwaitingRedrive(): string[];
  /** A connected account's state as its latest `account.updated` (by event time) reported it; undefined if never reported (issue #12). */
  connectAccountState(stripe_account_id: string): AccountState | undefined;
  latestHold(booking_id: string): { code: string } | undefined;
  /** A guest's unexpired lots with credits left, soonest to expire first. */
  openLots(guest_id: string): Array<CreditLot & { remaining: number }>;
  usedFromLot(lot_id: string): number;
  /** Lots whose expiry is strictly before `at` and not yet expired, by expiry then lot id. */
  lotsExpiringBefore(at: string): CreditLot[];
  /** Paid bookings with no transfer intent nor transfer entry yet, in confirmation order. */
  /** Paid bookings not paid out yet, in booking order — at least every one whose payout can be due by `dueBy` (all without it). */
  bookingsAwaitingPayout(dueBy?: string): string[];
  /** Every host-subscription row (#14), with the batch's own subscription effects folded in. */
  subscriptionRows(): SubscriptionRows;
}

/** Recording effects: each call also updates what `StateReads` answers next. */
export interface EffectRecorder {
  /** Posts (in the batch) an entry; a replay of its key answers `replayed: true` and records nothing. */
  post(intent: EntryIntent | null): PostResult | null;
  openAccounts(accounts: ChartAccount[], at: string): void;
  decision(d: Omit<DecisionRecord, 'input_hash'> & { input_hash?: string }): void;
  /** Appends the transition `action` implies from the booking's current state, or throws illegal_transition. */
  transition(booking_id: string, action: BookingAction, inbox_id: number, at: string): void;
  add<K extends Exclude<keyof Effects, 'entries' | 'decisions' | 'transitions' | 'accounts'>>(kind: K, row: Effects[K][number]): void;
}

export type HandlerState = StateReads & { effects: EffectRecorder };
