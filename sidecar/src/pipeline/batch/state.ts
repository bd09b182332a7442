import { canonicalJson, DomainError, sha256Hex } from '../../kernel/index.js';
import { rememberCanonical } from '../../flows/write-effects.js';
import { nextState, type BookingAction } from '../../flows/booking/state-machine.js';
import type { BookingRecord, PolicyRef } from '../../flows/booking/store.js';
import { confirmedTransferDecisions, moneyOf, type BookingMoney } from '../../flows/booking/money-view.js';
import type { CreditLot } from '../../flows/booking/credits.js';
import type { DecisionRecord } from '../../flows/evidence/decisions.js';
import type { EntryIntent } from '../../flows/booking/entries.js';
import { emptyEffects, EFFECT_KINDS, type Effects } from '../../flows/effects.js';
import { checkBalanced, contentHashOf, isDebitNormal, normalizeInstant, validateShape, type JournalEntry, type PostResult } from '../../flows/ledger/index.js';
import { KIND, parseAccount, type ChartAccount } from '../../flows/vocabulary.js';
import { policyVersionOf, type PolicyVersion } from '../../nora/index.js';
import { cachedPolicy, rememberPolicy } from '../booking-facts.js';
import type { EffectRecorder, HandlerState, StateReads } from '../handler-shape.js';
import { NeedsLoad } from './needs.js';
import type { SubscriptionRows } from '../../flows/subscriptions/store.js';
import type { AccountState } from '../../flows/booking/account-states.js';
import type { RedriveCache, RedriveHistory } from './redrive-load.js';

export type StripeObj = { object_id: string; kind: string; booking_id: string | null; data: Record<string, unknown>; inbox_id: number };
export type IntentLite = { intent_id: string; decision_id: string; booking_id: string | null; operation: string; params: Record<string, unknown> };
export type Sums = { d: number; c: number };

/**
 * The state a batch's handlers decide over: what the loader read (a constant number of statements
 * per batch) plus every effect recorded so far in the batch. Each event runs between `begin()` and
 * `commit()`/`rollback()`: a rollback undoes the event's changes to the state and drops its effects,
 * so a parked or refused event costs the batch nothing. Reads of what was not loaded throw
 * `NeedsLoad` (the dispatcher loads and runs the handler again).
 */
export class BatchState implements StateReads, EffectRecorder {
  // --- loaded, then changed by effects (every change pushes its undo) ---
  readonly bookings = new Map<string, BookingRecord | null>();
  readonly entriesOf = new Map<string, JournalEntry[]>();
  readonly intentsOf = new Map<string, IntentLite[]>();
  readonly objectsOf = new Map<string, StripeObj[]>();
  readonly decisionsOf = new Map<string, DecisionRecord[]>();
  readonly holdOf = new Map<string, { code: string } | null>();
  readonly paymentIntents = new Map<string, string | null>();
  readonly objects = new Map<string, StripeObj | null>();
  readonly byKey = new Map<string, JournalEntry | null>();
  readonly sums = new Map<string, Sums>();
  readonly hostAccount = new Map<string, string | null>();
  /** Connected account → the host that connected it last (#14: subscriptions linked by metadata.host_account). */
  readonly accountHost = new Map<string, string | null>();
  readonly hostChangedAt = new Map<string, string | null>();
  readonly subscription = new Map<string, string | null>();
  readonly accountState = new Map<string, AccountState | null>();
  readonly redrive: RedriveCache = { histories: new Map(), awaiting: null };
  readonly guestsLoaded = new Set<string>();
  readonly lots = new Map<string, CreditLot>();
  readonly lotUsed = new Map<string, number>();
  readonly lotExpired = new Set<string>();
  expiringLoadedBefore: string | null = null;
  /** Host-subscription rows as loaded; the batch's own rows are in `fx` (rolled back with it). */
  subscriptionsLoaded: SubscriptionRows | null = null;
  awaiting: Map<string, number> | null = null;
  /** `awaiting` holds the bookings whose payout can be due by this instant (null: every one awaiting). */
  awaitingDueBy: string | null = null;
  /** Published policy versions in log order. */
  readonly policies: Array<PolicyRef & { seq: number }> = [];
  readonly intentIds = new Set<string>();
  readonly flagKeys = new Set<string>();
  headSeq = 0;

  // --- the batch's effects, and the event scope ---
  readonly fx: Effects = emptyEffects();
  private undo: Array<() => void> = [];
  private mark: { undo: number; lengths: Record<string, number> } | null = null;
  readonly effects: EffectRecorder = this;

  asHandlerState(): HandlerState {
    return this as unknown as HandlerState;
  }

  begin(): void {
    this.mark = { undo: this.undo.length, lengths: Object.fromEntries(EFFECT_KINDS.map((k) => [k, this.fx[k].length])) };
  }

  commit(): void {
    this.mark = null;
    this.undo.length = 0;
  }

  rollback(): void {
    if (!this.mark) return;
    while (this.undo.length > this.mark.undo) this.undo.pop()!();
    for (const k of EFFECT_KINDS) (this.fx[k] as unknown[]).length = this.mark.lengths[k]!;
    this.mark = null;
  }

  private set<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    this.undo.push(() => (had ? map.set(key, old as V) : map.delete(key)));
  }

  private forget<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const old = map.get(key) as V;
    map.delete(key);
    this.undo.push(() => void map.set(key, old));
  }

  private push<T>(list: T[], item: T): void {
    list.push(item);
    this.undo.push(() => void list.pop());
  }

  // --------------------------------------------------------------------------------- reads

  booking(booking_id: string): BookingRecord | undefined {
    if (!this.bookings.has(booking_id)) throw NeedsLoad.of((n) => n.bookings.add(booking_id));
    return this.bookings.get(booking_id) ?? undefined;
  }

  private loadedBooking(booking_id: string): BookingRecord | undefined {
    return this.booking(booking_id);
  }

  bookingIdForPaymentIntent(pi: string): string | undefined {
    if (!this.paymentIntents.has(pi)) throw NeedsLoad.of((n) => n.paymentIntents.add(pi));
    return this.paymentIntents.get(pi) ?? undefined;
  }

  stripeObject(object_id: string) {
    if (!this.objects.has(object_id)) throw NeedsLoad.of((n) => n.objects.add(object_id));
    const o = this.objects.get(object_id);
    return o ? { object_id: o.object_id, kind: o.kind, booking_id: o.booking_id, data: o.data } : undefined;
  }

  stripeObjectsOfBooking(booking_id: string, kind?: string) {
    if (!this.loadedBooking(booking_id)) return [];
    return (this.objectsOf.get(booking_id) ?? []).filter((o) => !kind || o.kind === kind).map((o) => ({ object_id: o.object_id, kind: o.kind, data: o.data }));
  }

  money(booking_id: string): BookingMoney {
    this.loadedBooking(booking_id);
    const entries = this.entriesOf.get(booking_id) ?? [];
    const m = moneyOf(booking_id, entries);
    const confirmed = confirmedTransferDecisions(entries);
    let inFlight = 0;
    for (const i of this.intentsOf.get(booking_id) ?? []) if (i.operation === 'transfer' && !confirmed.has(i.decision_id)) inFlight += Number(i.params.amount) - Number((i.params.metadata as { returned_minor?: string } | undefined)?.returned_minor ?? 0);
    return { ...m, transfer_in_flight_minor: inFlight };
  }

  balance(account: ChartAccount): number {
    const p = parseAccount(account.code);
    let s: Sums;
    if (p?.scope === 'booking') {
      this.loadedBooking(p.owner);
      s = { d: 0, c: 0 };
      for (const e of this.entriesOf.get(p.owner) ?? []) for (const l of e.lines) if (l.account === account.code) (l.direction === 'D' ? (s.d += l.amount_minor) : (s.c += l.amount_minor));
    } else {
      const got = this.sums.get(account.code);
      if (!got) throw NeedsLoad.of((n) => n.accountCodes.add(account.code));
      s = got;
    }
    return isDebitNormal(account.type) ? s.d - s.c : s.c - s.d;
  }

  entry(idempotency_key: string): JournalEntry | undefined {
    if (!this.byKey.has(idempotency_key)) throw NeedsLoad.of((n) => n.entryKeys.add(idempotency_key));
    return this.byKey.get(idempotency_key) ?? undefined;
  }

  decisionsOfBooking(booking_id: string): DecisionRecord[] {
    if (!this.loadedBooking(booking_id)) return [];
    return this.decisionsOf.get(booking_id) ?? [];
  }

  entriesOfBooking(booking_id: string): JournalEntry[] {
    if (!this.loadedBooking(booking_id)) return [];
    return this.entriesOf.get(booking_id) ?? [];
  }

  policy(ref: PolicyRef | undefined): PolicyVersion {
    if (!ref) throw new DomainError('unknown_policy', 'the booking is not pinned to a policy of this kind');
    const v = cachedPolicy(ref);
    if (!v) throw new Error(`invariant violated: policy ${ref.kind}/${ref.id} v${ref.version} was not loaded with the batch`);
    return v;
  }

  currentPolicy(kind: string, id: string): PolicyRef | undefined {
    for (let i = this.policies.length - 1; i >= 0; i--) {
      const p = this.policies[i]!;
      if (p.kind === kind && p.id === id) return { kind: p.kind, id: p.id, version: p.version, hash: p.hash };
    }
    return undefined;
  }

  policyVersionExists(kind: string, id: string, version: number): boolean {
    return this.policies.some((p) => p.kind === kind && p.id === id && p.version === version);
  }

  hostConnectedAccount(host_id: string): string | undefined {
    if (!this.hostAccount.has(host_id)) throw NeedsLoad.of((n) => n.hosts.add(host_id));
    return this.hostAccount.get(host_id) ?? undefined;
  }

  hostAccountChangedAt(host_id: string): string | null {
    if (!this.hostAccount.has(host_id)) throw NeedsLoad.of((n) => n.hosts.add(host_id));
    return this.hostChangedAt.get(host_id) ?? null;
  }

  hostOfStripeAccount(account: string): string | undefined {
    if (!this.accountHost.has(account)) throw NeedsLoad.of((n) => n.accountHosts.add(account));
    return this.accountHost.get(account) ?? undefined;
  }

  hostSubscriptionStatus(account: string | undefined): string | null {
    if (!account) return null;
    if (!this.subscription.has(account)) throw NeedsLoad.of((n) => n.stripeAccounts.add(account));
    return this.subscription.get(account) ?? null;
  }

  outboxIntent(intent_id: string): RedriveHistory | undefined {
    if (!this.redrive.histories.has(intent_id)) throw NeedsLoad.of((n) => n.outboxIntents.add(intent_id));
    return this.redrive.histories.get(intent_id) ?? undefined;
  }

  intentsAwaitingRedrive(): string[] {
    if (!this.redrive.awaiting) throw NeedsLoad.of((n) => (n.awaitingRedrive = true));
    return [...this.redrive.awaiting].sort();
  }

  /** Re-counts whether an intent waits for a re-drive decision after a change of its history. */
  private reckonAwaiting(h: RedriveHistory): void {
    const aw = this.redrive.awaiting;
    if (!aw) return;
    const waits = h.failures.filter((f) => f.round_ended).length > h.grants.length;
    const id = h.intent.intent_id;
    if (waits === aw.has(id)) return;
    if (waits) aw.add(id);
    else aw.delete(id);
    this.undo.push(() => void (waits ? aw.delete(id) : aw.add(id)));
  }

  private changeHistory(intent_id: string, change: (h: RedriveHistory) => RedriveHistory): void {
    const h = this.outboxIntent(intent_id);
    if (!h) throw new Error(`invariant violated: re-drive effect for unknown intent ${intent_id}`);
    const next = change(h);
    this.set(this.redrive.histories, intent_id, next);
    this.reckonAwaiting(next);
  }

  connectAccountState(account: string): AccountState | undefined {
    if (!this.accountState.has(account)) throw NeedsLoad.of((n) => n.stripeAccounts.add(account));
    return this.accountState.get(account) ?? undefined;
  }

  latestHold(booking_id: string): { code: string } | undefined {
    if (!this.loadedBooking(booking_id)) return undefined;
    return this.holdOf.get(booking_id) ?? undefined;
  }

  openLots(guest_id: string): Array<CreditLot & { remaining: number }> {
    if (!this.guestsLoaded.has(guest_id)) throw NeedsLoad.of((n) => n.guests.add(guest_id));
    const mine = [...this.lots.values()].filter((l) => l.guest_id === guest_id && !this.lotExpired.has(l.lot_id));
    mine.sort((a, b) => (a.expires_at < b.expires_at ? -1 : a.expires_at > b.expires_at ? 1 : a.lot_id < b.lot_id ? -1 : 1));
    return mine.map((l) => ({ ...l, remaining: l.credits - this.usedFromLot(l.lot_id) })).filter((l) => l.remaining > 0);
  }

  usedFromLot(lot_id: string): number {
    return this.lotUsed.get(lot_id) ?? 0;
  }

  lotsExpiringBefore(at: string): CreditLot[] {
    if (this.expiringLoadedBefore === null || at > this.expiringLoadedBefore) throw NeedsLoad.of((n) => (n.expiringBefore = at));
    const due = [...this.lots.values()].filter((l) => l.expires_at < at && !this.lotExpired.has(l.lot_id));
    return due.sort((a, b) => (a.expires_at < b.expires_at ? -1 : a.expires_at > b.expires_at ? 1 : a.lot_id < b.lot_id ? -1 : 1));
  }

  bookingsAwaitingPayout(dueBy?: string): string[] {
    const covered = this.awaiting && (this.awaitingDueBy === null || (dueBy !== undefined && dueBy <= this.awaitingDueBy));
    if (!covered || !this.awaiting) throw NeedsLoad.of((n) => ((n.awaitingPayout = true), (n.payoutsDueBy = dueBy ?? null)));
    return [...this.awaiting.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }

  subscriptionRows(): SubscriptionRows {
    const base = this.subscriptionsLoaded;
    if (!base) throw NeedsLoad.of((n) => (n.subscriptions = true));
    return {
      links: [...base.links, ...this.fx.subscriptionLinks],
      snapshots: [...base.snapshots, ...this.fx.subscriptionSnapshots],
      invoiceEvents: [...base.invoiceEvents, ...this.fx.invoiceEvents],
      schedules: [...base.schedules, ...this.fx.revenueSchedules],
      recognitions: [...base.recognitions, ...this.fx.revenueRecognitions],
      dunningSteps: [...base.dunningSteps, ...this.fx.dunningSteps],
    };
  }

  // --------------------------------------------------------------------------------- effects

  post(intent: EntryIntent | null): PostResult | null {
    if (!intent) return null;
    const req = { ...intent.request, occurred_at: normalizeInstant(intent.request.occurred_at) };
    const key = req.idempotency_key;
    const known = this.byKey.has(key);
    // A booking's entries are all loaded with it: a key of a loaded booking not among them is not taken.
    if (!known && !(req.booking_id && this.bookings.get(req.booking_id))) throw NeedsLoad.of((n) => n.entryKeys.add(key));
    const existing = this.byKey.get(key);
    if (existing) {
      if (intent.reported) {
        if (existing.meta.reported_amount_minor !== intent.reported.amount_minor) {
          throw new DomainError('idempotency_conflict', `${intent.reported.object_id} was posted for ${String(existing.meta.reported_amount_minor)}, now reported as ${intent.reported.amount_minor}`, { idempotency_key: key });
        }
        return { entry: existing, replayed: true };
      }
      if (existing.content_hash !== contentHashOf(req)) {
        throw new DomainError('idempotency_conflict', `idempotency key ${key} was used for a different entry`, { idempotency_key: key, seq: existing.seq });
      }
      return { entry: existing, replayed: true };
    }
    validateShape(req);
    checkBalanced(req);
    if (req.reverses_seq != null) this.checkReversal(req.booking_id, req.reverses_seq);
    const seq = this.headSeq + 1;
    this.headSeq = seq;
    this.undo.push(() => void (this.headSeq = seq - 1));
    const entry: JournalEntry = {
      seq, idempotency_key: key, content_hash: contentHashOf(req), kind: req.kind, booking_id: req.booking_id, occurred_at: req.occurred_at,
      description: req.description, reverses_seq: req.reverses_seq ?? null, meta: req.meta ?? {}, lines: req.lines, prev_hash: '', entry_hash: '',
    };
    this.push(this.fx.entries, { ...intent, request: req });
    for (const account of intent.accounts) this.push(this.fx.accounts, { account, at: req.occurred_at });
    this.set(this.byKey, key, entry);
    if (req.booking_id && this.entriesOf.has(req.booking_id)) this.push(this.entriesOf.get(req.booking_id)!, entry);
    for (const l of req.lines) {
      const s = this.sums.get(l.account);
      if (s) this.set(this.sums, l.account, l.direction === 'D' ? { d: s.d + l.amount_minor, c: s.c } : { d: s.d, c: s.c + l.amount_minor });
    }
    if (req.booking_id && this.awaiting) {
      if (req.kind === KIND.payment_received && !this.hasTransfer(req.booking_id)) this.set(this.awaiting, req.booking_id, this.bookings.get(req.booking_id)?.inbox_id ?? 0);
      if (req.kind === KIND.host_transfer && this.awaiting.has(req.booking_id)) this.deleteAwaiting(req.booking_id);
    }
    return { entry, replayed: false };
  }

  private hasTransfer(booking_id: string): boolean {
    return (this.intentsOf.get(booking_id) ?? []).some((i) => i.operation === 'transfer') || (this.entriesOf.get(booking_id) ?? []).some((e) => e.kind === KIND.host_transfer);
  }

  private deleteAwaiting(booking_id: string): void {
    const map = this.awaiting!;
    const old = map.get(booking_id)!;
    map.delete(booking_id);
    this.undo.push(() => void map.set(booking_id, old));
  }

  private checkReversal(booking_id: string | null, target: number): void {
    // Entries outside a booking (host subscriptions) are reversed by key: the caller read the
    // original and the reversal's key; the ledger's unique reverses_seq refuses a second one.
    if (booking_id === null) return;
    const list = booking_id ? this.entriesOf.get(booking_id) : undefined;
    if (!list) throw new Error(`invariant violated: a reversal of entry ${target} outside a loaded booking`);
    if (!list.some((e) => e.seq === target)) throw new DomainError('reversal_target_missing', `entry ${target} does not exist`);
    const by = list.find((e) => e.reverses_seq === target);
    if (by) throw new DomainError('already_reversed', `entry ${target} is already reversed by entry ${by.seq}`);
  }

  openAccounts(accounts: ChartAccount[], at: string): void {
    for (const account of accounts) this.push(this.fx.accounts, { account, at });
  }

  decision(d: Omit<DecisionRecord, 'input_hash'> & { input_hash?: string }): void {
    let input_hash = d.input_hash;
    if (input_hash === undefined) {
      // The canonical input is made once: hashed here, written as it is at the end of the batch.
      const json = canonicalJson(d.input);
      rememberCanonical(d.input, json);
      input_hash = `sha256:${sha256Hex(json)}`;
    }
    const record: DecisionRecord = { ...d, input_hash };
    if (d.booking_id && this.decisionsOf.has(d.booking_id)) {
      const list = this.decisionsOf.get(d.booking_id)!;
      if (list.some((x) => x.decision_id === record.decision_id)) return; // the same decision, recorded again
      const next = [...list, record].sort((a, b) => a.inbox_id - b.inbox_id || (a.decision_id < b.decision_id ? -1 : a.decision_id > b.decision_id ? 1 : 0));
      this.set(this.decisionsOf, d.booking_id, next);
    }
    this.push(this.fx.decisions, record);
  }

  transition(booking_id: string, action: BookingAction, inbox_id: number, at: string): void {
    const b = this.booking(booking_id);
    if (!b) throw new Error(`invariant violated: transition of unknown booking ${booking_id}`);
    const from = b.transitions.length === 0 ? 'none' : b.state;
    const to = nextState(from, action);
    if (to === from) return;
    const step = { step: b.transitions.length + 1, from_state: from, to_state: to, at, inbox_id };
    this.set(this.bookings, booking_id, { ...b, state: to, transitions: [...b.transitions, step] });
    this.push(this.fx.transitions, { booking_id, step: step.step, from_state: from, to_state: to, action, inbox_id, at });
  }

  add<K extends Exclude<keyof Effects, 'entries' | 'decisions' | 'transitions' | 'accounts'>>(kind: K, row: Effects[K][number]): void {
    const fx = this.fx as unknown as Record<string, unknown[]>;
    switch (kind) {
      case 'bookings': {
        const b = row as Effects['bookings'][number];
        const record: BookingRecord = {
          booking_id: b.booking_id, inbox_id: b.inbox_id, guest_id: b.facts.guest_id, host_id: b.facts.host_id, currency: b.facts.currency,
          payment_intent_id: b.facts.payment_intent_id, confirmed_at: b.confirmed_at, policies: b.policies, facts: b.facts, revision: 1,
          state: 'awaiting_payment', transitions: [],
        };
        this.set(this.bookings, b.booking_id, record);
        this.set(this.paymentIntents, b.facts.payment_intent_id, b.booking_id);
        for (const m of [this.entriesOf, this.intentsOf, this.objectsOf, this.decisionsOf] as Array<Map<string, unknown[]>>) this.set(m, b.booking_id, []);
        this.set(this.holdOf, b.booking_id, null);
        this.push(fx.bookings!, row);
        this.push(this.fx.revisions, { booking_id: b.booking_id, revision: 1, inbox_id: b.inbox_id, facts: b.facts });
        return;
      }
      case 'revisions': {
        const r = row as Effects['revisions'][number];
        const b = this.booking(r.booking_id)!;
        this.set(this.bookings, r.booking_id, { ...b, facts: r.facts, revision: r.revision });
        break;
      }
      case 'links': {
        const l = row as Effects['links'][number];
        if (this.objects.get(l.object_id)) return; // first sighting wins
        const o: StripeObj = { object_id: l.object_id, kind: l.kind, booking_id: l.booking_id, data: JSON.parse(JSON.stringify(l.data ?? null)) as Record<string, unknown>, inbox_id: l.inbox_id };
        this.set(this.objects, l.object_id, o);
        if (l.booking_id && this.objectsOf.has(l.booking_id)) {
          const list = this.objectsOf.get(l.booking_id)!;
          if (list.some((x) => x.object_id === l.object_id)) return;
          this.push(list, o);
        }
        break;
      }
      case 'intents': {
        const i = row as Effects['intents'][number];
        if (this.intentIds.has(i.intent_id)) return;
        this.intentIds.add(i.intent_id);
        this.undo.push(() => void this.intentIds.delete(i.intent_id));
        if (i.booking_id && this.intentsOf.has(i.booking_id)) this.push(this.intentsOf.get(i.booking_id)!, { intent_id: i.intent_id, decision_id: i.decision_id, booking_id: i.booking_id, operation: i.operation, params: i.params });
        if (i.operation === 'transfer' && i.booking_id && this.awaiting?.has(i.booking_id)) this.deleteAwaiting(i.booking_id);
        // Its re-drive history, read as "no such intent" before this event made it (prefetched for a
        // failure or a tick later in the batch), is stale now: the next read loads it, this batch's
        // own intents included. Live, an intent and its failures are never in one batch; a replay
        // dispatches the whole log in a few, and ignored every failure of it (found by the simulation).
        if (this.redrive.histories.get(i.intent_id) === null) this.forget(this.redrive.histories, i.intent_id);
        break;
      }
      case 'flags': {
        const f = row as Effects['flags'][number];
        const k = `${f.booking_id}\u0000${f.inbox_id}\u0000${f.code}`;
        if (this.flagKeys.has(k)) return;
        this.flagKeys.add(k);
        this.undo.push(() => void this.flagKeys.delete(k));
        break;
      }
      case 'creditLots': {
        const l = row as CreditLot;
        if (this.lots.has(l.lot_id)) return;
        this.set(this.lots, l.lot_id, l);
        break;
      }
      case 'creditUses': {
        const u = row as Effects['creditUses'][number];
        this.set(this.lotUsed, u.lot_id, (this.lotUsed.get(u.lot_id) ?? 0) + u.credits);
        break;
      }
      case 'creditExpiries': {
        const x = row as Effects['creditExpiries'][number];
        this.lotExpired.add(x.lot_id);
        this.undo.push(() => void this.lotExpired.delete(x.lot_id));
        break;
      }
      case 'holds': {
        const h = row as Effects['holds'][number];
        this.set(this.holdOf, h.booking_id, { code: h.code });
        break;
      }
      case 'hostConnections': {
        const h = row as Effects['hostConnections'][number];
        const previous = this.hostAccount.get(h.host_id);
        if (previous && previous !== h.stripe_account_id) this.set(this.hostChangedAt, h.host_id, h.occurred_at ?? null);
        this.set(this.hostAccount, h.host_id, h.stripe_account_id);
        this.set(this.accountHost, h.stripe_account_id, h.host_id);
        break;
      }
      case 'subscriptionStates': {
        const s = row as Effects['subscriptionStates'][number];
        this.set(this.subscription, s.stripe_account_id, s.status);
        break;
      }
      // Host subscriptions: read back through subscriptionRows() from fx (rolled back with it).
      case 'subscriptionLinks':
      case 'subscriptionSnapshots':
      case 'invoiceEvents':
      case 'revenueSchedules':
      case 'revenueRecognitions':
      case 'dunningSteps':
        break;
      case 'accountStates': {
        const a = row as AccountState;
        const cur = this.connectAccountState(a.stripe_account_id);
        // The later event wins (Stripe may deliver out of order), ties by log order.
        if (!cur || a.occurred_at >= cur.occurred_at) this.set(this.accountState, a.stripe_account_id, a);
        break;
      }
      case 'outboxFailures': {
        const f = row as Effects['outboxFailures'][number];
        this.changeHistory(f.intent_id, (h) => ({ ...h, failures: [...h.failures, f] }));
        break;
      }
      case 'redrives': {
        const r = row as Effects['redrives'][number];
        this.changeHistory(r.intent_id, (h) => ({ ...h, grants: [...h.grants, { round: r.round, reason: r.reason, granted_at: r.granted_at }] }));
        break;
      }
      case 'terminals': {
        const t = row as Effects['terminals'][number];
        this.changeHistory(t.intent_id, (h) => ({ ...h, terminals: [...h.terminals, { round: t.round, reason: t.reason, decision_id: t.decision_id }] }));
        break;
      }
      case 'policyVersions': {
        const p = row as Effects['policyVersions'][number];
        const ref = { kind: p.kind, id: p.id, version: p.version, hash: p.hash };
        rememberPolicy(ref, policyVersionOf(JSON.parse(p.document)));
        this.push(this.policies, { ...ref, seq: Number.MAX_SAFE_INTEGER });
        break;
      }
      case 'outbound':
        break; // written at the end of the batch (emitOutbound); nothing later in the batch reads it
      case 'reconciliationReports':
        break; // stored reports decide nothing later (issue #12)
      default: {
        const never: never = kind as never;
        throw new Error(`invariant violated: unhandled effect ${String(never)}`);
      }
    }
    this.push(fx[kind]!, row);
  }
}
