import { canonicalJson, hashOf } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import { postEntries, type PostResult } from './ledger/index.js';
import { insertRows, statementsFor } from './ledger/multi-row-insert.js';
import { ENTRY_COLUMNS } from './ledger/entry-checks.js';
import { ensureAccountsAt } from './booking/open-accounts.js';
import type { Effects } from './effects.js';
import { writeSubscriptionEffects } from './subscriptions/write.js';
import type { ChartAccount } from './vocabulary.js';
import { emitOutboundAll } from './outbound/emit.js';

/** Canonical JSON already made for a value while hashing it (the batch hashes a decision's input when recorded). */
const canonicalMade = new WeakMap<object, string>();

/** Keeps `json`, the canonical JSON of `value` just made, for the write (recorded effects are never changed). */
export function rememberCanonical(value: unknown, json: string): void {
  if (typeof value === 'object' && value !== null) canonicalMade.set(value, json);
}

function canonicalOf(value: unknown): string {
  return (typeof value === 'object' && value !== null ? canonicalMade.get(value) : undefined) ?? canonicalJson(value);
}

export type WriteReport = { entries: PostResult[]; statements: number };

/**
 * Writes a batch's effects in the caller's transaction: the accounts its entries need (each opened
 * at the event time of the first that needs it), the entries with one `postEntries`, and every
 * other kind with one multi-row INSERT per table. Nothing here decides: the effects are final.
 * Rows keyed by the event (decisions, links, intents, flags, lots) skip a key already taken, so a
 * batch written again after a crash has one effect.
 */
export async function writeEffects(db: Db, fx: Effects): Promise<WriteReport> {
  // Every table's write is started at once and awaited together: the statements queue on the
  // transaction's one connection (in the order started; no table here reads another's rows but the
  // ledger, which reads bookings and writes them first), so
  // building the next table's rows overlaps the server writing the previous one.
  const jobs: Array<Promise<number>> = [];
  let gate: Promise<void> = Promise.resolve();
  const ins = (table: string, columns: string[], rows: () => unknown[][], ignoreDuplicates = false) => {
    jobs.push(gate.then(() => insertRows(db, table, columns, rows(), { ignoreDuplicates })));
    // The next table's rows are built a turn of the event loop later, once this statement is on its way.
    gate = gate.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  };
  // Each account opens at the event time of the first effect that needs it (fx.accounts is in
  // the order effects were recorded and includes every entry's accounts).
  const opened = new Map<string, { account: ChartAccount; opened_at: string }>();
  for (const o of fx.accounts) if (!opened.has(o.account.code)) opened.set(o.account.code, { account: o.account, opened_at: o.at });
  // The ledger in its own order: the batch's new bookings (postEntries reads their hosts for the
  // host index, host_entries), accounts, then the entries that post to them.
  const ledger = (async () => {
    await insertRows(db, 'bookings', ['booking_id', 'inbox_id', 'guest_id', 'host_id', 'currency', 'payment_intent_id', 'confirmed_at', 'policies'],
      fx.bookings.map((b) => [b.booking_id, b.inbox_id, b.facts.guest_id, b.facts.host_id, b.facts.currency, b.facts.payment_intent_id, b.confirmed_at, canonicalJson(b.policies)]));
    if (opened.size > 0) await ensureAccountsAt(db, [...opened.values()]);
    return fx.entries.length > 0 ? postEntries(db, fx.entries.map((e) => e.request)) : [];
  })();
  jobs.push(ledger.then(() => (fx.bookings.length > 0 ? 1 : 0) + (opened.size > 0 ? 3 : 0) + (fx.entries.length > 0 ? 5 : 0)));
  // Entries that take more than one statement are written inside a savepoint (post-entries.ts), and
  // nothing else may be queued inside it: then the ledger goes first, alone.
  // (settleAll: a failure is thrown once the ledger's chain has settled, and never left unhandled.)
  if (statementsFor(fx.entries.length, ENTRY_COLUMNS.length) > 1) await settleAll(jobs);
  ins('policy_versions', ['kind', 'policy_id', 'version', 'hash', 'document', 'inbox_id'], () => fx.policyVersions.map((p) => [p.kind, p.id, p.version, p.hash, p.document, p.inbox_id]));
  ins('booking_revisions', ['booking_id', 'revision', 'inbox_id', 'facts'], () => fx.revisions.map((r) => [r.booking_id, r.revision, r.inbox_id, canonicalJson(r.facts)]));
  ins('booking_transitions', ['booking_id', 'step', 'from_state', 'to_state', 'inbox_id', 'at'], () => fx.transitions.map((t) => [t.booking_id, t.step, t.from_state, t.to_state, t.inbox_id, t.at]));
  ins('decisions', ['decision_id', 'inbox_id', 'event_id', 'booking_id', 'action', 'actor', 'policy', 'policy_version', 'policy_hash', 'input_hash', 'input', 'allowed', 'reason', 'outcome', 'outcome_hash', 'consent_hash', 'evaluated_at', 'recorded_at'],
    () => fx.decisions.map((d) => [d.decision_id, d.inbox_id, d.event_id, d.booking_id, d.action, d.actor, d.policy, d.policy_version, d.policy_hash, d.input_hash ?? hashOf(d.input), canonicalOf(d.input), d.allowed ? 1 : 0, d.reason, canonicalJson(d.outcome), d.outcome_hash, d.consent_hash, d.evaluated_at, d.recorded_at]), true);
  ins('stripe_objects', ['object_id', 'kind', 'booking_id', 'inbox_id', 'data'], () => fx.links.map((l) => [l.object_id, l.kind, l.booking_id, l.inbox_id, canonicalJson(l.data)]), true);
  ins('outbox_intents', ['intent_id', 'decision_id', 'booking_id', 'operation', 'params', 'inbox_id'], () => fx.intents.map((i) => [i.intent_id, i.decision_id, i.booking_id, i.operation, canonicalJson(i.params), i.inbox_id]), true);
  ins('booking_flags', ['booking_id', 'inbox_id', 'code', 'reason'], () => fx.flags.map((f) => [f.booking_id, f.inbox_id, f.code, f.reason]), true);
  ins('credit_lots', ['lot_id', 'guest_id', 'booking_id', 'credits', 'earned_at', 'expires_at', 'inbox_id'], () => fx.creditLots.map((l) => [l.lot_id, l.guest_id, l.booking_id, l.credits, l.earned_at, l.expires_at, l.inbox_id]), true);
  ins('credit_lot_uses', ['lot_id', 'booking_id', 'credits', 'inbox_id'], () => fx.creditUses.map((u) => [u.lot_id, u.booking_id, u.credits, u.inbox_id]));
  ins('credit_lot_expiries', ['lot_id', 'inbox_id'], () => fx.creditExpiries.map((x) => [x.lot_id, x.inbox_id]));
  ins('payout_holds', ['booking_id', 'inbox_id', 'code', 'reason'], () => fx.holds.map((h) => [h.booking_id, h.inbox_id, h.code, h.reason]));
  ins('host_connections', ['host_id', 'stripe_account_id', 'inbox_id'], () => fx.hostConnections.map((h) => [h.host_id, h.stripe_account_id, h.inbox_id]));
  ins('host_subscription_states', ['stripe_account_id', 'status', 'inbox_id'], () => fx.subscriptionStates.map((s) => [s.stripe_account_id, s.status, s.inbox_id]));
  jobs.push(writeSubscriptionEffects(db, fx));
  ins('host_account_states', ['stripe_account_id', 'charges_enabled', 'payouts_enabled', 'transfers_capability', 'disabled_reason', 'occurred_at', 'inbox_id'],
    () => fx.accountStates.map((a) => [a.stripe_account_id, a.charges_enabled, a.payouts_enabled, a.transfers_capability, a.disabled_reason, a.occurred_at, a.inbox_id]), true);
  ins('outbox_failures', ['intent_id', 'attempt', 'round_ended', 'retryable', 'http_status', 'error_code', 'error_message', 'request_id', 'inbox_id', 'occurred_at'],
    () => fx.outboxFailures.map((f) => [f.intent_id, f.attempt, f.round_ended, f.retryable, f.http_status, f.error_code, f.error_message, f.request_id, f.inbox_id, f.occurred_at]), true);
  ins('outbox_redrives', ['intent_id', 'round', 'reason', 'lookup_first', 'granted_at', 'decision_id', 'inbox_id'], () => fx.redrives.map((r) => [r.intent_id, r.round, r.reason, r.lookup_first, r.granted_at, r.decision_id, r.inbox_id]), true);
  ins('outbox_terminals', ['intent_id', 'round', 'reason', 'decision_id', 'inbox_id'], () => fx.terminals.map((t) => [t.intent_id, t.round, t.reason, t.decision_id, t.inbox_id]), true);
  ins('reconciliation_reports', ['report_id', 'period_from', 'period_to', 'ok', 'differences', 'counts', 'report', 'report_hash', 'inbox_id'],
    () => fx.reconciliationReports.map((r) => [r.report_id, r.period_from, r.period_to, r.ok, r.differences, r.counts, r.report, r.report_hash, r.inbox_id]), true);
  // Each takes the next seq of its stream (two reads and one insert for the batch).
  jobs.push(emitOutboundAll(db, fx.outbound));
  // The log position in-memory read models follow (pipeline/preview-model.ts): visible with the rest at commit.
  ins('read_model_changes', ['kind', 'subject'], () => changedSubjects(fx).map((c) => [c.kind, c.subject]));
  const counts = await settleAll(jobs);
  return { entries: await ledger, statements: counts.reduce((a, b) => a + b, 0) };
}

/**
 * Waits for every write, then fails with the first error: nothing is left running on the
 * connection when the caller rolls back.
 */
export async function settleAll<T>(jobs: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export type ChangedSubject = { kind: 'booking' | 'policy'; subject: string };

/**
 * What a batch's effects change for the read models, once each: every booking a row of any kind
 * names (its facts, state, entries, intents …) and every policy kind a version was published for.
 * A superset of what a preview reads is fine (a needless reload); a subset would serve stale data.
 */
export function changedSubjects(fx: Effects): ChangedSubject[] {
  const bookings = new Set<string>();
  const add = (id: string | null | undefined) => void (id && bookings.add(id));
  for (const b of fx.bookings) add(b.booking_id);
  for (const r of fx.revisions) add(r.booking_id);
  for (const t of fx.transitions) add(t.booking_id);
  for (const e of fx.entries) add(e.request.booking_id);
  for (const i of fx.intents) add(i.booking_id);
  for (const l of fx.links) add(l.booking_id);
  for (const d of fx.decisions) add(d.booking_id);
  for (const f of fx.flags) add(f.booking_id);
  for (const h of fx.holds) add(h.booking_id);
  for (const l of fx.creditLots) add(l.booking_id);
  for (const u of fx.creditUses) add(u.booking_id);
  const policies = new Set(fx.policyVersions.map((p) => p.kind));
  return [
    ...[...bookings].sort().map((subject) => ({ kind: 'booking' as const, subject })),
    ...[...policies].sort().map((subject) => ({ kind: 'policy' as const, subject })),
  ];
}
