import type { Db } from '../db/connect.js';
import { toInt } from '../db/connect.js';
import type { StripeFake } from '../stripe-fake/index.js';
import { trialBalance, verifyLedger } from '../flows/ledger/index.js';
import { verifyDecisions } from '../pipeline/verify-decisions.js';
import { allIntents } from '../flows/outbox/intents.js';

/** What the guest (or host) saw in the preview and consented to before a cancellation was sent. */
export type Consent = { booking_id: string; by: 'guest' | 'host'; at: string; event_id: string; outcome_hash: string; outcome: { refund_to_guest: number; host_payout: number; currency: string } };

/**
 * The books after a history: each check names what broke. `movements` is the multiset of money
 * movements (per booking: entry kind and its lines), comparable across runs whose inbox order differs.
 */
export async function checkInvariants(db: Db, fake: StripeFake, consents: Consent[]): Promise<{ head_hash: string; entries: number; movements: string[]; problems: string[]; verify_ms: number }> {
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
    if (i.status !== 'succeeded') problems.push(`intent ${i.intent_id} ended ${i.status} after ${i.attempts.map((a) => `${a.outcome}:${a.http_status ?? ''}:${a.error_code ?? ''}`).join(' ')}`);
    if (i.operation === 'refund' && refunds.filter((r) => r.metadata?.intent_id === i.intent_id || i.attempts.some((a) => a.stripe_object_id === r.id)).length !== 1) problems.push(`refund intent ${i.intent_id}: not exactly one refund at Stripe`);
  }
  const refundIntents = intents.filter((i) => i.operation === 'refund');
  if (refunds.length !== refundIntents.length) problems.push(`${refunds.length} refunds at Stripe for ${refundIntents.length} refund intents`);
  const transferIntents = intents.filter((i) => i.operation === 'transfer');
  if (fake.state.transfers.size !== transferIntents.length) problems.push(`${fake.state.transfers.size} transfers at Stripe for ${transferIntents.length} transfer intents`);

  // every executed cancellation equals its consented preview
  for (const c of consents) {
    const result = await db('event_results as r').join('inbox_events as e', 'e.id', 'r.inbox_id').where({ 'e.source': 'booking', 'e.event_id': c.event_id }).first('r.status', 'r.code');
    const executed = await db('decisions').where({ booking_id: c.booking_id }).where('action', 'like', 'cancel_by_%').select('outcome_hash');
    if (result?.status === 'processed' && !executed.some((d: { outcome_hash: string }) => d.outcome_hash === c.outcome_hash)) problems.push(`cancellation of ${c.booking_id} executed an outcome other than the consented ${c.outcome_hash}`);
    const refunded = refundIntents.filter((i) => i.booking_id === c.booking_id).reduce((s, i) => s + Number((i.params as { amount: number }).amount), 0);
    if (result?.status === 'processed' && refunded > c.outcome.refund_to_guest) problems.push(`refunded ${refunded} for ${c.booking_id}, consented ${c.outcome.refund_to_guest}`);
  }

  const movements = await moneyMovements(db);
  return { head_hash: report.head_hash, entries: report.entries, movements, problems, verify_ms };
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
