import type { Db } from '../db/connect.js';
import { toInt } from '../db/connect.js';
import type { StripeFake } from '../stripe-fake/index.js';
import { readEntries, trialBalance, verifyLedger } from '../flows/ledger/index.js';
import { KIND, parseAccount } from '../flows/vocabulary.js';
import { verifyDecisions } from '../pipeline/verify-decisions.js';
import { allIntents } from '../flows/outbox/intents.js';
import Stripe from 'stripe';
import { pino } from 'pino';
import { listDeliveries } from '../flows/outbound/deliveries.js';
import { reconcileWithStripe } from '../pipeline/reconcile.js';
import { replayInto } from '../pipeline/replay.js';
import { DAY_MS, formatIsoUtc } from '../kernel/time.js';
import type { Dialect } from '../testing/databases.js';
import { emptyDatabase } from './database.js';
import { transfersLessReversals } from './host-transfers.js';
import { moneyEnded, type HostCardPayments, type NetBalance } from './money-ended.js';
import { checkSubscriptions } from './subscription-invariants.js';

/** What the guest (or host) saw in the preview and consented to before a cancellation was sent. */
export type Consent = { kind?: 'cancel' | 'modify'; booking_id: string; by: 'guest' | 'host'; at: string; event_id: string; outcome_hash: string; outcome: { refund_to_guest: number; host_payout: number; currency: string } };

/**
 * The books after a history: each check names what broke. `movements` is where the money ended
 * (balances per account, refunds and transfers at Stripe; money-ended.ts), comparable across runs
 * whose inbox order differs; `owed` the hosts' receivables it counts as settled.
 */
export type InvariantReport = { head_hash: string; entries: number; movements: string[]; owed: string[]; outbound: string[]; problems: string[]; verify_ms: number; reconcile_ms: number; replay_ms: number };

export async function checkInvariants(db: Db, fake: StripeFake, consents: Consent[], consumer: Consumer, opts: { dialect: Dialect; deep: boolean; period: { from: string; to: string } }): Promise<InvariantReport> {
  const problems: string[] = [];

  // every entry balances, the chain verifies, debits equal credits per unit over all lines
  const t0 = performance.now();
  const report = await verifyLedger(db);
  const verify_ms = performance.now() - t0;
  if (!report.ok) problems.push(`verify: ${JSON.stringify(report.first_bad)} unbalanced ${report.unbalanced_units.join(',')} checkpoint ${JSON.stringify(report.bad_checkpoint)}`);
  const tb = await trialBalance(db);
  for (const row of tb.rows) if (row.debits_minor !== row.credits_minor) problems.push(`trial balance ${row.unit}: ${row.debits_minor} ≠ ${row.credits_minor}`);

  // evidence re-evaluation: every decision re-derives from its recorded input
  const decisions = await verifyDecisions(db);
  for (const p of decisions.problems) problems.push(`decision ${p.decision_id} (${p.action}): ${p.problem}`);

  // no credit reaching cash: every line is in its account's unit
  const mixed = await db('journal_lines as l').join('accounts as a', 'a.code', 'l.account_code').whereRaw('a.unit <> l.unit').count({ n: '*' }).first();
  if (toInt(mixed?.n) !== 0) problems.push(`${toInt(mixed?.n)} ledger lines in a unit other than their account's`);

  // every movement in a simulated history was decided: nothing lands in suspense (issue #13's account for the unexplained)
  const suspense = await db('journal_lines').where('account_code', 'like', 'platform:suspense:%').count({ n: '*' }).first();
  if (toInt(suspense?.n) !== 0) problems.push(`${toInt(suspense?.n)} ledger lines in suspense: a movement no decision explains`);

  // at Stripe: no refund above what was captured, no host paid twice
  const refunds = [...fake.state.refunds.values()].filter((r) => r.status !== 'failed' && r.status !== 'canceled');
  for (const pi of fake.state.paymentIntents.values()) {
    const refunded = refunds.filter((r) => r.payment_intent === pi.id).reduce((s, r) => s + r.amount, 0);
    if (refunded > pi.amount_received) problems.push(`refunds of ${pi.id} total ${refunded} > captured ${pi.amount_received}`);
  }
  const transfersByBooking = new Map<string, number>();
  for (const tr of fake.state.transfers.values()) transfersByBooking.set(String(tr.transfer_group), (transfersByBooking.get(String(tr.transfer_group)) ?? 0) + 1);
  for (const [booking, n] of transfersByBooking) if (n > 1) problems.push(`host of ${booking} paid ${n} times`);

  // every due payout and refund made exactly once: no intent left open or failed, one Stripe object each
  const intents = await allIntents(db);
  for (const i of intents) {
    if (i.status !== 'succeeded' && acceptedFailure(i, fake)) continue;
    if (i.status !== 'succeeded') problems.push(`intent ${i.intent_id} ended ${i.status} after ${i.attempts.map((a) => `${a.outcome}:${a.http_status ?? ''}:${a.error_code ?? ''}`).join(' ')} (last: ${i.attempts.at(-1)?.error_message ?? ''})`);
    if (i.operation === 'refund' && refunds.filter((r) => r.metadata?.intent_id === i.intent_id || i.attempts.some((a) => a.stripe_object_id === r.id)).length !== 1) problems.push(`refund intent ${i.intent_id}: not exactly one refund at Stripe`);
  }
  const refundIntents = intents.filter((i) => i.operation === 'refund');
  if (refunds.length !== refundIntents.length) problems.push(`${refunds.length} refunds at Stripe for ${refundIntents.length} refund intents`);
  const transferIntents = intents.filter((i) => i.operation === 'transfer');
  if (fake.state.transfers.size !== transferIntents.length) problems.push(`${fake.state.transfers.size} transfers at Stripe for ${transferIntents.length} transfer intents`);

  // every executed cancellation equals its consented preview
  for (const c of consents) {
    const result = await db('event_results as r').join('inbox_events as e', 'e.id', 'r.inbox_id').where({ 'e.source': 'booking', 'e.event_id': c.event_id }).first('r.status', 'r.code');
    const executed = await db('decisions').where({ booking_id: c.booking_id }).where('action', 'like', c.kind === 'modify' ? 'modify' : 'cancel_by_%').select('outcome_hash', 'allowed');
    if (result?.status === 'processed' && !executed.some((d: { outcome_hash: string }) => d.outcome_hash === c.outcome_hash)) problems.push(`${c.kind ?? 'cancel'} of ${c.booking_id} executed an outcome other than the consented ${c.outcome_hash} (${result.code})`);
    if (c.kind === 'modify') continue;
    const refunded = refundIntents.filter((i) => i.booking_id === c.booking_id).reduce((s, i) => s + Number((i.params as { amount: number }).amount), 0);
    if (result?.status === 'processed' && refunded > c.outcome.refund_to_guest) problems.push(`refunded ${refunded} for ${c.booking_id}, consented ${c.outcome.refund_to_guest}`);
  }

  // host subscriptions: every invoice posted once, each collected one recognised once (cash and fee, or offset), receivables tie out
  await checkSubscriptions(db, fake, problems);

  // every outbound event delivered, once, in order per booking (the receiver is the example consumer)
  const outbound = await checkOutbound(db, consumer, problems);

  // reconcile against the fake's balance transactions: clean
  // (reconcile and replay are the costly checks: `deep` false skips them — the fault-free baseline of a seed)
  const t1 = performance.now();
  if (opts.deep) await checkReconciliation(db, fake, opts.period, problems);
  const reconcile_ms = performance.now() - t1;

  // replaying the inbox into an empty database gives the same chain head, entry by entry, and the same evidence
  const t2 = performance.now();
  const target = opts.deep ? await emptyDatabase(opts.dialect) : null;
  if (target) try {
    const replay = await replayInto(db, target.db, { logger: pino({ level: 'silent' }) });
    // Every decision, the re-drive ones (#12) included: a replay once lost them (a finding fixed, docs/simulation.md).
    const decisionsOf = async (d: Db) => (await d('decisions').orderBy('decision_id').select('decision_id', 'action', 'outcome_hash', 'input_hash')).map((x: Record<string, unknown>) => `${String(x.decision_id)}:${String(x.action)}:${String(x.outcome_hash).slice(0, 14)}:${String(x.input_hash).slice(0, 14)}`);
    const [a, b] = [await decisionsOf(db), await decisionsOf(target.db)];
    const sameDecisions = a.length === b.length && a.every((x, k) => x === b[k]);
    if (replay.first_difference !== null || replay.source.head_hash !== replay.replayed.head_hash || !sameDecisions) {
      problems.push(`replay differs: head ${replay.source.head_hash} → ${replay.replayed.head_hash}, first difference ${JSON.stringify(replay.first_difference)}; decisions only in the run ${JSON.stringify(a.filter((x) => !b.includes(x)).slice(0, 3))}, only in the replay ${JSON.stringify(b.filter((x) => !a.includes(x)).slice(0, 3))}`);
    }
  } finally {
    await target.drop();
  }
  const replay_ms = performance.now() - t2;

  // Transfers summed per host: which of a host's payouts a penalty is deducted from follows the
  // order the payouts are decided in, which late deliveries legitimately change (seed 189); and
  // what a host still owes is counted as settled, since whether a penalty met a later payout at
  // all follows that order too (seed 2612; money-ended.ts).
  const hostOf = new Map(((await db('bookings').select('booking_id', 'host_id')) as Array<{ booking_id: string; host_id: string }>).map((b) => [b.booking_id, b.host_id]));
  // less their reversals: a payout reversed for a dispute lost after it equals the host part withheld before it (seed 2661; host-transfers.ts)
  const transfers = transfersLessReversals(fake.state.transfers.values(), fake.state.transferReversals.values(), (b) => hostOf.get(b));
  const ended = moneyEnded(await netBalances(db), transfers, await subscriptionCardPayments(db));
  problems.push(...ended.problems);
  const movements = ended.movements;
  for (const r of fake.state.refunds.values()) if (r.status !== 'failed' && r.status !== 'canceled') movements.push(`stripe refund ${String(r.metadata?.booking_id ?? r.payment_intent)} ${r.amount}`);
  return { head_hash: report.head_hash, entries: report.entries, movements: movements.sort(), owed: ended.owed, outbound, problems, verify_ms, reconcile_ms, replay_ms };
}

/**
 * Intents that may end failed without a bug: evidence for a dispute the network already closed
 * (Stripe refuses it: the dispute.created webhook came days late). (A daily reconciliation failed
 * by a dropped database connection is no longer accepted: our own database failing for now is
 * retried — a finding fixed, docs/simulation.md.)
 */
function acceptedFailure(i: { operation: string; status: string; params?: Record<string, unknown>; attempts: Array<{ error_code?: string | null; error_message?: string | null }> }, fake: StripeFake): boolean {
  const last = i.attempts.at(-1);
  if (i.operation === 'dispute_evidence' && i.status === 'failed' && last?.error_code === 'dispute_already_submitted') {
    return [...fake.disputes.all.values()].some((d) => d.status === 'won' || d.status === 'lost');
  }
  // An offset of an invoice Stripe had already collected by card (reported late): Stripe refuses the
  // out-of-band payment and the ledger undoes the offset (checked in subscription-invariants.ts).
  if (i.operation === 'invoice_pay_out_of_band' && i.status === 'failed' && last?.error_code === 'invoice_already_paid') {
    const inv = fake.billing.invoices.get(String(i.params?.invoice));
    return inv?.status === 'paid' && inv.paid_out_of_band !== true;
  }
  return false;
}

type Consumer = { applied: Array<{ seq: number }>; gaps: Array<{ stream: string; expected: number; got: number }> };

/** Every emitted outbound event ends delivered (none dead or still trying) and the consumer applied each once, in seq order. */
async function checkOutbound(db: Db, consumer: Consumer, problems: string[]): Promise<string[]> {
  const events = (await db('outbound_events').orderBy('id').select('event_id', 'stream_key', 'seq')) as Array<{ event_id: string; stream_key: string; seq: unknown }>;
  const notDelivered = (await listDeliveries(db, { limit: 100_000 })).filter((d) => d.status !== 'delivered');
  for (const d of notDelivered.slice(0, 5)) problems.push(`outbound ${d.event_id} to ${d.endpoint_id}: ${d.status} after ${d.attempts} attempts`);
  for (const g of consumer.gaps.slice(0, 5)) problems.push(`outbound stream ${g.stream}: expected seq ${g.expected}, got ${g.got} (out of order or lost)`);
  const applied = consumer.applied.map((e) => (e as unknown as { id: string }).id);
  const ids = events.map((e) => e.event_id);
  if (applied.length !== ids.length || [...applied].sort().join() !== [...ids].sort().join()) problems.push(`outbound: ${ids.length} events emitted, the receiver applied ${applied.length} (${ids.filter((x) => !applied.includes(x)).slice(0, 3).join(', ')} missing)`);
  return ids.sort();
}

/** `reconcile` over the history's whole period (in windows of at most 93 days) against the fake's balance transactions. */
async function checkReconciliation(db: Db, fake: StripeFake, period: { from: string; to: string }, problems: string[]): Promise<void> {
  const stripe = new Stripe('sk_test_simulation', { telemetry: false, maxNetworkRetries: 0, host: new URL(fake.url).hostname, port: Number(new URL(fake.url).port), protocol: 'http' });
  // Windows from midnight, as the daily ones: an entry at exactly a window's end (a payout at a
  // midnight tick) must fall in the next window on both sides, [from, to) (a finding fixed).
  const start = Date.parse(period.from);
  for (let from = start; from < Date.parse(period.to); from += 90 * DAY_MS) {
    const to = Math.min(from + 90 * DAY_MS, Date.parse(period.to));
    const r = await reconcileWithStripe(db, stripe, { from: formatIsoUtc(from), to: formatIsoUtc(to) });
    if (!r.ok) problems.push(`reconcile ${formatIsoUtc(from)}..${formatIsoUtc(to)}: ${JSON.stringify({ missing_from_ledger: r.missing_from_ledger.slice(0, 3), unknown_to_stripe: r.unknown_to_stripe.slice(0, 3), amount_differences: r.amount_differences.slice(0, 3), payout_differences: r.payout_differences.slice(0, 3) })}`);
  }
}

/** Per host and currency, the subscription invoices paid by card and their Stripe fees, as the ledger recognised them (money-ended.ts). */
export async function subscriptionCardPayments(db: Db): Promise<HostCardPayments[]> {
  const byHost = new Map<string, HostCardPayments>();
  for (const e of await readEntries(db)) {
    if (!e.idempotency_key.startsWith('subscription:') || (e.kind !== KIND.subscription_payment && e.kind !== KIND.stripe_fee)) continue;
    for (const l of e.lines) {
      const a = parseAccount(l.account);
      if (a?.scope !== 'platform' || l.direction !== 'D' || (a.role !== 'stripe_balance' && a.role !== 'stripe_fees')) continue;
      const k = `${String(e.meta.host_id)} ${a.unit}`;
      const p = byHost.get(k) ?? byHost.set(k, { host: String(e.meta.host_id), currency: a.unit, paid_minor: 0, fee_minor: 0 }).get(k)!;
      if (a.role === 'stripe_balance') p.paid_minor += l.amount_minor;
      else p.fee_minor += l.amount_minor;
    }
  }
  return [...byHost.values()];
}

/**
 * Where the money ended: each account's net balance per unit (non-zero only). Across fault modes
 * this, not the entries, must be equal: a late account.updated or a long outage legitimately
 * splits the same payout into other entries (fees recognised at one tick, the transfer at a
 * later one), and the chain's order follows the inbox's.
 */
export async function netBalances(db: Db): Promise<NetBalance[]> {
  const rows = (await db('journal_lines').groupBy('account_code', 'unit', 'direction').select('account_code', 'unit', 'direction').sum({ total: 'amount_minor' })) as Array<{ account_code: string; unit: string; direction: string; total: unknown }>;
  const net = new Map<string, NetBalance>();
  for (const r of rows) {
    const k = `${r.account_code} ${r.unit}`;
    const b = net.get(k) ?? net.set(k, { account: r.account_code, unit: r.unit, net: 0n }).get(k)!;
    b.net += (r.direction === 'D' ? 1n : -1n) * BigInt(String(r.total));
  }
  return [...net.values()].filter((b) => b.net !== 0n);
}

/** Each entry as booking|kind|sorted lines, the whole list sorted: the money moved, whatever the order. */
export async function moneyMovements(db: Db): Promise<string[]> {
  const entries = (await db('journal_entries').select('seq', 'booking_id', 'kind')) as Array<{ seq: unknown; booking_id: string | null; kind: string }>;
  const lines = (await db('journal_lines').select('entry_seq', 'account_code', 'direction', 'amount_minor', 'unit')) as Array<{ entry_seq: unknown; account_code: string; direction: string; amount_minor: unknown; unit: string }>;
  const bySeq = new Map<number, string[]>();
  for (const l of lines) {
    const k = toInt(l.entry_seq);
    (bySeq.get(k) ?? bySeq.set(k, []).get(k)!).push(`${l.account_code}:${l.direction}:${String(l.amount_minor)}:${l.unit}`);
  }
  return entries.map((e) => `${e.booking_id ?? '-'}|${e.kind}|${(bySeq.get(toInt(e.seq)) ?? []).sort().join(',')}`).sort();
}
