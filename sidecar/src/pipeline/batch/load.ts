import type { AccountState } from '../../flows/booking/account-states.js';
import type { Knex } from 'knex';
import { toInt, type Db } from '../../db/connect.js';
import { formatIsoUtc, parseIsoUtc } from '../../kernel/index.js';
import type { BookingFactsData, BookingRecord, PinnedPolicies } from '../../flows/booking/store.js';
import type { BookingState } from '../../flows/booking/state-machine.js';
import { decisionFromRow, type DecisionRow } from '../../flows/evidence/decisions.js';
import { accountTotals, entryFromRows, readEntriesByKeys, type EntryRow, type LineRow } from '../../flows/ledger/index.js';
import { chart, KIND } from '../../flows/vocabulary.js';
import { policyVersionOf } from '../../nora/index.js';
import { cachedPolicy, rememberPolicy } from '../booking-facts.js';
import { isEmpty, noNeeds, type Needs } from './needs.js';
import { loadSubscriptionRows } from '../../flows/subscriptions/store.js';
import type { BatchState, StripeObj } from './state.js';
import { loadAwaitingRedrive, loadRedriveHistories } from './redrive-load.js';

/** Ids per IN list: well under both dialects' parameter limits. */
const CHUNK = 500;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/**
 * What every batch needs whatever its events: the chain head (the seqs its entries will take) and
 * the published policy versions (parsed once per process: a version never changes).
 */
export async function loadBatchBase(db: Db, state: BatchState): Promise<number> {
  const head = await db('journal_entries').orderBy('seq', 'desc').first('seq');
  state.headSeq = head ? toInt(head.seq) : 0;
  const rows = (await db('policy_versions').orderBy('id').select('id', 'kind', 'policy_id', 'version', 'hash')) as Array<{ id: unknown; kind: string; policy_id: string; version: unknown; hash: string }>;
  const refs = rows.map((r) => ({ kind: r.kind, id: r.policy_id, version: toInt(r.version), hash: r.hash, seq: toInt(r.id) }));
  state.policies.push(...refs);
  const missing = refs.filter((r) => !cachedPolicy(r));
  let statements = 2;
  for (const part of chunks(missing)) {
    const docs = (await db('policy_versions').whereIn('id', part.map((r) => r.seq)).select('id', 'document')) as Array<{ id: unknown; document: string }>;
    statements++;
    for (const d of docs) {
      const ref = part.find((r) => r.seq === toInt(d.id))!;
      rememberPolicy(ref, policyVersionOf(JSON.parse(d.document)));
    }
  }
  return statements;
}

/**
 * Loads what `needs` names and the state lacks, in a few statements per kind whatever the count,
 * then folds in the batch's own effects so far (the database has not seen them yet). Returns the
 * number of statements run. Only fills what is absent: what the batch already knows is newer.
 */
export async function loadNeeds(db: Db, state: BatchState, needs: Needs): Promise<number> {
  let statements = 0;
  for (let round = 0; round < 4 && !isEmpty(needs); round++) {
    const next = noNeeds();
    const pis = [...needs.paymentIntents].filter((p) => !state.paymentIntents.has(p));
    for (const part of chunks(pis)) {
      const rows = (await db('bookings').whereIn('payment_intent_id', part).select('booking_id', 'payment_intent_id')) as Array<{ booking_id: string; payment_intent_id: string }>;
      statements++;
      for (const r of rows) {
        state.paymentIntents.set(r.payment_intent_id, r.booking_id);
        next.bookings.add(r.booking_id);
      }
      for (const p of part) if (!state.paymentIntents.has(p)) state.paymentIntents.set(p, null);
    }
    const objects = [...needs.objects].filter((o) => !state.objects.has(o));
    for (const part of chunks(objects)) {
      const rows = (await db('stripe_objects').whereIn('object_id', part)) as Array<{ object_id: string; kind: string; booking_id: string | null; inbox_id: unknown; data: string }>;
      statements++;
      for (const r of rows) {
        state.objects.set(r.object_id, { object_id: r.object_id, kind: r.kind, booking_id: r.booking_id, inbox_id: toInt(r.inbox_id), data: JSON.parse(r.data) });
        if (r.booking_id) next.bookings.add(r.booking_id);
      }
      for (const o of part) if (!state.objects.has(o)) state.objects.set(o, null);
    }
    statements += await loadBookings(db, state, [...needs.bookings].filter((b) => !state.bookings.has(b)), next);
    const keys = [...needs.entryKeys].filter((k) => !state.byKey.has(k));
    if (keys.length > 0) {
      const found = await readEntriesByKeys(db, keys);
      statements += 2 * Math.ceil(keys.length / CHUNK);
      for (const k of keys) if (!state.byKey.has(k)) state.byKey.set(k, found.get(k) ?? null);
    }
    statements += await loadSums(db, state, [...needs.accountCodes].filter((c) => !state.sums.has(c)));
    const hosts = [...needs.hosts].filter((h) => !state.hostAccount.has(h));
    for (const part of chunks(hosts)) {
      const rows = (await db('host_connections as c').join('inbox_events as e', 'e.id', 'c.inbox_id').whereIn('c.host_id', part).orderBy('c.id')
        .select('c.host_id', 'c.stripe_account_id', 'e.occurred_at')) as Array<{ host_id: string; stripe_account_id: string; occurred_at: string }>;
      statements++;
      const last = new Map<string, string>();
      const changedAt = new Map<string, string>(); // when the account last changed to another one (issue #13)
      for (const r of rows) {
        const prev = last.get(r.host_id);
        if (prev !== undefined && prev !== r.stripe_account_id) changedAt.set(r.host_id, r.occurred_at);
        last.set(r.host_id, r.stripe_account_id);
      }
      for (const h of part) {
        if (state.hostAccount.has(h)) continue;
        state.hostAccount.set(h, last.get(h) ?? null);
        state.hostChangedAt.set(h, changedAt.get(h) ?? null);
      }
      for (const a of last.values()) next.stripeAccounts.add(a);
    }
    const accounts = [...needs.stripeAccounts].filter((a) => !state.subscription.has(a) || !state.accountState.has(a));
    for (const part of chunks(accounts)) {
      const rows = (await db('host_subscription_states').whereIn('stripe_account_id', part).orderBy('id').select('stripe_account_id', 'status')) as Array<{ stripe_account_id: string; status: string }>;
      statements++;
      const last = new Map<string, string>();
      for (const r of rows) last.set(r.stripe_account_id, r.status);
      for (const a of part) if (!state.subscription.has(a)) state.subscription.set(a, last.get(a) ?? null);
      // Connect account states (issue #12): the latest report by event time, ties by log order.
      const reports = (await db('host_account_states').whereIn('stripe_account_id', part).orderBy('occurred_at').orderBy('id')) as Array<Record<string, unknown>>;
      statements++;
      const latest = new Map<string, AccountState>();
      for (const r of reports) latest.set(String(r.stripe_account_id), { stripe_account_id: String(r.stripe_account_id), charges_enabled: Boolean(r.charges_enabled), payouts_enabled: Boolean(r.payouts_enabled), transfers_capability: String(r.transfers_capability), disabled_reason: r.disabled_reason == null ? null : String(r.disabled_reason), occurred_at: String(r.occurred_at), inbox_id: toInt(r.inbox_id) });
      for (const a of part) if (!state.accountState.has(a)) state.accountState.set(a, latest.get(a) ?? null);
    }
    statements += await loadLots(db, state, [...needs.guests].filter((g) => !state.guestsLoaded.has(g)), needs.expiringBefore, next);
    if (needs.awaitingPayout && (!state.awaiting || (state.awaitingDueBy !== null && (needs.payoutsDueBy === null || needs.payoutsDueBy > state.awaitingDueBy)))) {
      statements += await loadAwaiting(db, state, next, needs.payoutsDueBy);
    }
    const asked = [...needs.accountHosts].filter((a) => !state.accountHost.has(a));
    for (const part of chunks(asked)) {
      const rows = (await db('host_connections').whereIn('stripe_account_id', part).orderBy('id').select('host_id', 'stripe_account_id')) as Array<{ host_id: string; stripe_account_id: string }>;
      statements++;
      const last = new Map<string, string>();
      for (const r of rows) last.set(r.stripe_account_id, r.host_id);
      for (const a of part) state.accountHost.set(a, last.get(a) ?? null);
    }
    if (needs.subscriptions && !state.subscriptionsLoaded) {
      state.subscriptionsLoaded = await loadSubscriptionRows(db);
      statements += 6;
    }
    if (needs.awaitingRedrive && !state.redrive.awaiting) statements += await loadAwaitingRedrive(db, state.redrive, state.fx, next);
    const intents = [...needs.outboxIntents].filter((i) => !state.redrive.histories.has(i));
    if (intents.length > 0) statements += await loadRedriveHistories(db, state.redrive, intents, state.fx, chunks);
    needs = next;
  }
  return statements;
}

async function loadBookings(db: Db, state: BatchState, ids: string[], next: Needs): Promise<number> {
  let statements = 0;
  for (const part of chunks(ids)) {
    // Sent together: they queue on the transaction's connection, no wait between one and the next.
    const [rows, revisions, transitions, entryRows, lineRows, intents, objects, decisions, holds] = await Promise.all([
      db('bookings').whereIn('booking_id', part),
      db('booking_revisions').whereIn('booking_id', part).select('booking_id', 'revision', 'facts'),
      db('booking_transitions').whereIn('booking_id', part).orderBy('booking_id').orderBy('step').select('booking_id', 'step', 'from_state', 'to_state', 'at', 'inbox_id'),
      db('journal_entries').whereIn('booking_id', part).orderBy('seq'),
      db('journal_lines as l').join('journal_entries as e', 'e.seq', 'l.entry_seq').whereIn('e.booking_id', part).select('l.entry_seq', 'l.line_no', 'l.account_code', 'l.unit', 'l.direction', 'l.amount_minor'),
      db('outbox_intents').whereIn('booking_id', part).orderBy('inbox_id').orderBy('intent_id').select('intent_id', 'decision_id', 'booking_id', 'operation', 'params'),
      db('stripe_objects').whereIn('booking_id', part).orderBy('inbox_id'),
      db('decisions').whereIn('booking_id', part).orderBy('inbox_id').orderBy('decision_id'),
      db('payout_holds').whereIn('booking_id', part).orderBy('id').select('booking_id', 'code'),
    ] as Array<Promise<unknown[]>>);
    statements += 9;
    const group = <T extends { booking_id: string | null }>(list: T[]) => {
      const m = new Map<string, T[]>();
      for (const x of list) {
        if (!x.booking_id) continue;
        let l = m.get(x.booking_id);
        if (!l) m.set(x.booking_id, (l = []));
        l.push(x);
      }
      return m;
    };
    const latest = new Map<string, { revision: number; facts: string }>();
    for (const r of revisions as Array<{ booking_id: string; revision: unknown; facts: string }>) {
      const seen = latest.get(r.booking_id);
      if (!seen || toInt(r.revision) > seen.revision) latest.set(r.booking_id, { revision: toInt(r.revision), facts: r.facts });
    }
    const steps = group(transitions as Array<{ booking_id: string; step: unknown; from_state: string; to_state: string; at: string; inbox_id: unknown }>);
    const linesBySeq = new Map<number, LineRow[]>();
    for (const l of lineRows as LineRow[]) {
      const k = toInt(l.entry_seq);
      let list = linesBySeq.get(k);
      if (!list) linesBySeq.set(k, (list = []));
      list.push(l);
    }
    const entries = group((entryRows as EntryRow[]).map((r) => entryFromRows(r, linesBySeq.get(toInt(r.seq)) ?? [])));
    const intentsBy = group(intents as Array<{ intent_id: string; decision_id: string; booking_id: string; operation: string; params: string }>);
    const objectsBy = group(objects as Array<{ object_id: string; kind: string; booking_id: string; inbox_id: unknown; data: string }>);
    const decisionsBy = group((decisions as DecisionRow[]).map(decisionFromRow));
    const holdBy = new Map<string, { code: string }>();
    for (const h of holds as Array<{ booking_id: string; code: string }>) holdBy.set(h.booking_id, { code: h.code });
    const found = new Set<string>();
    for (const row of rows as Array<Record<string, unknown>>) {
      const id = String(row.booking_id);
      found.add(id);
      const rev = latest.get(id)!;
      const trans = (steps.get(id) ?? []).map((t) => ({ step: toInt(t.step), from_state: t.from_state, to_state: t.to_state as BookingState, at: t.at, inbox_id: toInt(t.inbox_id) }));
      const record: BookingRecord = {
        booking_id: id, inbox_id: toInt(row.inbox_id), guest_id: String(row.guest_id), host_id: String(row.host_id), currency: String(row.currency),
        payment_intent_id: String(row.payment_intent_id), confirmed_at: String(row.confirmed_at), policies: JSON.parse(String(row.policies)) as PinnedPolicies,
        facts: JSON.parse(rev.facts) as BookingFactsData, revision: rev.revision, state: trans[trans.length - 1]?.to_state ?? 'awaiting_payment', transitions: trans,
      };
      state.bookings.set(id, record);
      state.paymentIntents.set(record.payment_intent_id, id);
      const own = entries.get(id) ?? [];
      state.entriesOf.set(id, own);
      for (const e of own) state.byKey.set(e.idempotency_key, e);
      const its = (intentsBy.get(id) ?? []).map((i) => ({ intent_id: i.intent_id, decision_id: i.decision_id, booking_id: i.booking_id, operation: i.operation, params: JSON.parse(i.params) as Record<string, unknown> }));
      state.intentsOf.set(id, its);
      for (const i of its) state.intentIds.add(i.intent_id);
      const objs: StripeObj[] = (objectsBy.get(id) ?? []).map((o) => ({ object_id: o.object_id, kind: o.kind, booking_id: o.booking_id, inbox_id: toInt(o.inbox_id), data: JSON.parse(o.data) as Record<string, unknown> }));
      state.objectsOf.set(id, objs);
      for (const o of objs) if (!state.objects.has(o.object_id)) state.objects.set(o.object_id, o);
      state.decisionsOf.set(id, decisionsBy.get(id) ?? []);
      state.holdOf.set(id, holdBy.get(id) ?? null);
      foldBatchEffects(state, id);
      // What a decision about this booking usually reads next: its host and what the host owes.
      next.hosts.add(record.host_id);
      for (const owed of [chart.hostPenalties(record.host_id, record.currency), chart.hostOffsetReceivable(record.host_id, record.currency)]) {
        if (!state.sums.has(owed.code)) next.accountCodes.add(owed.code);
      }
    }
    for (const id of part) if (!found.has(id)) state.bookings.set(id, null);
  }
  return statements;
}

async function loadSums(db: Db, state: BatchState, codes: string[]): Promise<number> {
  if (codes.length === 0) return 0;
  // Each account's newest balance checkpoint plus the lines after it: bounded by the checkpoint
  // interval, not by the account's history (a hot platform account is read every batch).
  const totals = await accountTotals(db, codes);
  const sums = new Map<string, { d: number; c: number }>(codes.map((c) => [c, { d: totals.get(c)!.debits, c: totals.get(c)!.credits }]));
  // The batch's entries so far are not in the database yet.
  for (const e of state.fx.entries) {
    for (const l of e.request.lines) {
      const s = sums.get(l.account);
      if (s) (l.direction === 'D' ? (s.d += l.amount_minor) : (s.c += l.amount_minor));
    }
  }
  for (const [c, s] of sums) state.sums.set(c, s);
  return 2 * Math.ceil(codes.length / 200);
}

async function loadLots(db: Db, state: BatchState, guests: string[], expiringBefore: string | null, next: Needs): Promise<number> {
  let statements = 0;
  type LotRow = { lot_id: string; guest_id: string; booking_id: string | null; credits: unknown; earned_at: string; expires_at: string; inbox_id: unknown; expired_lot: string | null };
  const take = async (rows: LotRow[]) => {
    const fresh = rows.filter((r) => !state.lots.has(r.lot_id));
    for (const r of fresh) {
      // Expiring a lot reads its guest's credit balance.
      if (!state.sums.has(chart.guestCredits(r.guest_id).code)) next.accountCodes.add(chart.guestCredits(r.guest_id).code);
      state.lots.set(r.lot_id, { lot_id: r.lot_id, guest_id: r.guest_id, booking_id: r.booking_id, credits: toInt(r.credits), earned_at: r.earned_at, expires_at: r.expires_at, inbox_id: toInt(r.inbox_id) });
      if (r.expired_lot) state.lotExpired.add(r.lot_id);
    }
    for (const part of chunks(fresh.map((r) => r.lot_id))) {
      const uses = (await db('credit_lot_uses').whereIn('lot_id', part).groupBy('lot_id').select('lot_id').sum({ n: 'credits' })) as Array<{ lot_id: string; n: unknown }>;
      statements++;
      for (const u of uses) state.lotUsed.set(u.lot_id, (state.lotUsed.get(u.lot_id) ?? 0) + toInt(u.n));
    }
  };
  for (const part of chunks(guests)) {
    const rows = (await db('credit_lots as l').leftJoin('credit_lot_expiries as x', 'x.lot_id', 'l.lot_id').whereIn('l.guest_id', part).select('l.*', 'x.lot_id as expired_lot')) as LotRow[];
    statements++;
    await take(rows);
    for (const g of part) state.guestsLoaded.add(g);
  }
  if (expiringBefore !== null && (state.expiringLoadedBefore === null || expiringBefore > state.expiringLoadedBefore)) {
    const rows = (await db('credit_lots as l').leftJoin('credit_lot_expiries as x', 'x.lot_id', 'l.lot_id').whereNull('x.lot_id').where('l.expires_at', '<', expiringBefore).select('l.*', 'x.lot_id as expired_lot')) as LotRow[];
    statements++;
    await take(rows);
    state.expiringLoadedBefore = expiringBefore;
  }
  return statements;
}

/**
 * The latest check-in date whose payout can be due by `dueBy`: a payout is due at the check-in
 * moment plus a delay ≥ 0 (nora/payments.ts), and a check-in moment is never earlier than 14 h
 * before its date's midnight UTC (the largest offset, UTC+14); one more day of margin.
 */
export function latestCheckInDueBy(dueBy: string): string {
  return formatIsoUtc(parseIsoUtc(dueBy) + (14 + 24) * 3_600_000).slice(0, 10);
}

async function loadAwaiting(db: Db, state: BatchState, next: Needs, dueBy: string | null): Promise<number> {
  // With a tick's instant, only bookings that may be due (migration 085's check-in index): the
  // paid bookings of every future stay are not read at each tick.
  const mayBeDue = (q: Knex.QueryBuilder) => (dueBy === null ? q : q.whereIn('b.booking_id', db('booking_revisions').where('check_in', '<=', latestCheckInDueBy(dueBy)).select('booking_id')));
  const rows = (await mayBeDue(db('bookings as b'))
    .whereExists(db('journal_entries as e').whereRaw('e.booking_id = b.booking_id').andWhere('e.kind', KIND.payment_received))
    .whereNotExists(db('outbox_intents as i').whereRaw('i.booking_id = b.booking_id').andWhere('i.operation', 'transfer'))
    .whereNotExists(db('journal_entries as t').whereRaw('t.booking_id = b.booking_id').andWhere('t.kind', KIND.host_transfer))
    .select('b.booking_id', 'b.inbox_id')) as Array<{ booking_id: string; inbox_id: unknown }>;
  const awaiting = new Map<string, number>(rows.map((r) => [r.booking_id, toInt(r.inbox_id)]));
  // Fold in the batch so far: payments posted, transfers decided or confirmed.
  for (const e of state.fx.entries) {
    const b = e.request.booking_id;
    if (!b) continue;
    if (e.request.kind === KIND.payment_received) awaiting.set(b, state.bookings.get(b)?.inbox_id ?? 0);
  }
  for (const e of state.fx.entries) if (e.request.booking_id && e.request.kind === KIND.host_transfer) awaiting.delete(e.request.booking_id);
  for (const i of state.fx.intents) if (i.booking_id && i.operation === 'transfer') awaiting.delete(i.booking_id);
  state.awaiting = awaiting;
  state.awaitingDueBy = dueBy;
  for (const id of awaiting.keys()) if (!state.bookings.has(id)) next.bookings.add(id);
  return 1;
}

/**
 * A booking loaded in the middle of a batch may already have effects of this batch that name it
 * without having read it (a fee entry or a link reported through a Stripe object): the database has
 * not seen them, so they are added to what was loaded, in the order they were recorded.
 */
function foldBatchEffects(state: BatchState, booking_id: string): void {
  const entries = state.entriesOf.get(booking_id)!;
  for (const e of state.fx.entries) {
    if (e.request.booking_id !== booking_id) continue;
    const posted = state.byKey.get(e.request.idempotency_key);
    if (posted && !entries.includes(posted)) entries.push(posted);
  }
  const objects = state.objectsOf.get(booking_id)!;
  for (const l of state.fx.links) {
    if (l.booking_id !== booking_id || objects.some((o) => o.object_id === l.object_id)) continue;
    const o = state.objects.get(l.object_id);
    if (o) objects.push(o);
  }
  const intents = state.intentsOf.get(booking_id)!;
  for (const i of state.fx.intents) {
    if (i.booking_id === booking_id && !intents.some((x) => x.intent_id === i.intent_id)) intents.push({ intent_id: i.intent_id, decision_id: i.decision_id, booking_id, operation: i.operation, params: i.params });
  }
  const decisions = state.decisionsOf.get(booking_id)!;
  for (const d of state.fx.decisions) if (d.booking_id === booking_id && !decisions.some((x) => x.decision_id === d.decision_id)) decisions.push(d);
}
