import type { BookingAction, BookingState } from './booking/state-machine.js';
import type { BookingFactsData, PinnedPolicies } from './booking/store.js';
import type { EntryIntent } from './booking/entries.js';
import type { DecisionRecord } from './evidence/decisions.js';
import type { OutboxIntent } from './outbox/intents.js';
import type { CreditLot } from './booking/credits.js';
import type { ChartAccount } from './vocabulary.js';
import type { EmitInput } from './outbound/emit.js';
import type { OutboundEventType } from './outbound/catalogue.js';
import type { DunningStep, HostSubscription, InvoiceEvent, RevenueRecognition, RevenueSchedule, SubscriptionSnapshot } from './subscriptions/store.js';
import type { AccountState } from './booking/account-states.js';
import type { OutboxFailure } from './outbox/redrive-store.js';
import type { ReconciliationReportRow } from './reconciliation/reports.js';

/**
 * What handling one event changes, as data: the handler shape is `(state, event) → effects`
 * (docs/architecture.md, "Writing a handler"). A handler reads only the state it is given, decides
 * (through NORA where a rule applies), and returns these; FLOWS writes them — ledger entries with
 * `postEntries`, every other kind with one multi-row INSERT per table per batch — in the batch's
 * transaction. Every list is in the order the handler produced it; order is part of the result
 * (entries are chained in it).
 *
 * Every effect is append-only and keyed by the event (idempotency keys, decision ids, intent ids
 * derived from decision ids), so a batch that is written twice, or a replay, has one effect.
 */
export type Effects = {
  /** Ledger entries (amounts final: nothing trims them when written). */
  entries: EntryIntent[];
  /** Accounts to open, in the order recorded: every entry's accounts, and those a flow opens before money moves on them. */
  accounts: Array<{ account: ChartAccount; at: string }>;
  /** Evidence: one row per decision taken (rule version and hash, input, outcome, consent). */
  decisions: DecisionRecord[];
  /** State machine rows: the booking's next step (from/to as the state machine allows). */
  transitions: TransitionEffect[];
  /** A new booking (confirmation) and new revisions of its facts. */
  bookings: Array<{ booking_id: string; inbox_id: number; facts: BookingFactsData; confirmed_at: string; policies: PinnedPolicies }>;
  revisions: Array<{ booking_id: string; revision: number; inbox_id: number; facts: BookingFactsData }>;
  /** Stripe objects linked to a booking (first sighting wins). */
  links: Array<{ object_id: string; kind: string; booking_id: string | null; inbox_id: number; data: unknown }>;
  /** Outbox intents: calls to Stripe, keyed by `intentIdFor(operation, decision_id)`. */
  intents: OutboxIntent[];
  /** Flags on a booking an operator should see (one per booking, event and code). */
  flags: Array<{ booking_id: string; inbox_id: number; code: string; reason: string }>;
  /** Loyalty credit lots, their uses and expiries. */
  creditLots: CreditLot[];
  creditUses: Array<{ lot_id: string; booking_id: string; credits: number; inbox_id: number }>;
  creditExpiries: Array<{ lot_id: string; inbox_id: number }>;
  /** Payout holds (recorded once per change of reason). */
  holds: Array<{ booking_id: string; inbox_id: number; code: string; reason: string }>;
  /** Host connections and subscription states as reported. */
  /** `occurred_at` is not stored (the inbox has it): it tells the batch's state when a payout account changed. */
  hostConnections: Array<{ host_id: string; stripe_account_id: string; inbox_id: number; occurred_at?: string }>;
  subscriptionStates: Array<{ stripe_account_id: string; status: string; inbox_id: number }>;
  /** Host subscriptions (#14): links to hosts, reported states, invoice lifecycle, revenue schedules and their recognition, dunning steps. */
  subscriptionLinks: HostSubscription[];
  subscriptionSnapshots: SubscriptionSnapshot[];
  invoiceEvents: InvoiceEvent[];
  revenueSchedules: RevenueSchedule[];
  revenueRecognitions: RevenueRecognition[];
  dunningSteps: DunningStep[];
  /** Connect account states as `account.updated` reported them (issue #12). */
  accountStates: AccountState[];
  /** Re-drive by policy (issue #12): failed outbound attempts as the log saw them, rounds granted, terminal decisions. */
  outboxFailures: OutboxFailure[];
  redrives: Array<{ intent_id: string; round: number; reason: 'schedule' | 'retry_requested'; lookup_first: boolean; granted_at: string; decision_id: string; inbox_id: number }>;
  terminals: Array<{ intent_id: string; round: number; reason: string; decision_id: string; inbox_id: number }>;
  /** The daily reconciliation's reports (issue #12), as the run logged them. */
  reconciliationReports: ReconciliationReportRow[];
  /** Published policy versions (document as canonical JSON). */
  policyVersions: Array<{ kind: string; id: string; version: number; hash: string; document: string; inbox_id: number }>;
  /** Outbound events to the booking engine (#15): written with the facts they announce, ids derived from the fact. */
  outbound: Array<EmitInput<OutboundEventType>>;
};

export type TransitionEffect = { booking_id: string; step: number; from_state: BookingState | 'none'; to_state: BookingState; action: BookingAction; inbox_id: number; at: string };

export function emptyEffects(): Effects {
  return {
    entries: [], accounts: [], decisions: [], transitions: [], bookings: [], revisions: [], links: [], intents: [], flags: [],
    creditLots: [], creditUses: [], creditExpiries: [], holds: [], hostConnections: [], subscriptionStates: [], policyVersions: [], outbound: [],
    subscriptionLinks: [], subscriptionSnapshots: [], invoiceEvents: [], revenueSchedules: [], revenueRecognitions: [], dunningSteps: [],
    accountStates: [], outboxFailures: [], redrives: [], terminals: [], reconciliationReports: [],
  };
}

/** The keys of Effects, for code that walks every kind (the writer, the state overlay): a new kind is a compile error there. */
export const EFFECT_KINDS = Object.keys(emptyEffects()) as Array<keyof Effects>;

/** Appends `more` to `into`, kind by kind, in order. */
export function mergeEffects(into: Effects, more: Effects): Effects {
  for (const k of EFFECT_KINDS) (into[k] as unknown[]).push(...(more[k] as unknown[]));
  return into;
}
