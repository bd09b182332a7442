import type { Db } from '../../db/connect.js';
import { subscriptionOfHost } from '../subscriptions/store.js';
import { subscriptionEntries } from '../subscriptions/postings.js';

/**
 * The host's subscription in their statement, from the same journal lines: what was charged
 * (invoiced, tax included), credited back (credit notes), paid by card, offset from payouts (and
 * actually deducted), written off; the Stripe fees the platform paid on those payments.
 */
export async function subscriptionStatement(db: Db, host_id: string, from: string, to: string) {
  const sub = await subscriptionOfHost(db, host_id);
  if (!sub) return null;
  const inRange = (at: string) => at.slice(0, 10) >= from && at.slice(0, 10) <= to;
  const receivable = `host:${host_id}:subscription_receivable:`;
  const offsetAcct = `host:${host_id}:subscription_offset_receivable:`;
  const sum = (lines: Array<{ account: string; direction: string; amount_minor: number }>, prefix: string, dir: 'D' | 'C') =>
    lines.filter((l) => l.account.startsWith(prefix) && l.direction === dir).reduce((a, l) => a + l.amount_minor, 0);
  const out = { subscription_id: sub.subscription_id, currency: sub.currency, charges_minor: 0, credit_notes_minor: 0, paid_minor: 0, offsets_minor: 0, offsets_deducted_minor: 0, written_off_minor: 0, stripe_fees_minor: 0 };
  for (const e of await subscriptionEntries(db, sub.subscription_id)) {
    if (!inRange(e.occurred_at)) continue;
    const sign = e.reverses_seq === null ? 1 : -1;
    if (e.kind === 'subscription_invoiced' || (e.kind === 'reversal' && e.idempotency_key.includes(':void:'))) out.charges_minor += sum(e.lines, receivable, 'D') - sum(e.lines, receivable, 'C') + sum(e.lines, `host:${host_id}:billing_credit:`, 'D');
    else if (e.kind === 'subscription_credit_note' || (e.kind === 'reversal' && e.idempotency_key.includes(':credit_note_void:'))) out.credit_notes_minor += sign * e.lines.filter((l) => l.direction === (sign > 0 ? 'C' : 'D') && !l.account.startsWith('platform:subscription') && !l.account.startsWith('platform:taxes')).reduce((a, l) => a + l.amount_minor, 0);
    else if (e.kind === 'subscription_payment') out.paid_minor += sum(e.lines, receivable, 'C');
    else if (e.kind === 'subscription_offset') out.offsets_minor += sum(e.lines, offsetAcct, 'D');
    else if (e.kind === 'subscription_written_off') out.written_off_minor += sum(e.lines, receivable, 'C');
    else if (e.kind === 'stripe_fee') out.stripe_fees_minor += sum(e.lines, 'platform:stripe_fees:', 'D');
  }
  // Offsets are deducted by host transfers (booking entries): what those took from the offset account.
  const rows = (await db('journal_lines as l').join('journal_entries as e', 'e.seq', 'l.entry_seq')
    .where('l.account_code', 'like', `${offsetAcct}%`).andWhere('l.direction', 'C').andWhere('e.kind', 'host_transfer')
    .select('l.amount_minor', 'e.occurred_at')) as Array<{ amount_minor: unknown; occurred_at: string }>;
  out.offsets_deducted_minor = rows.filter((r) => inRange(r.occurred_at)).reduce((a, r) => a + Number(r.amount_minor), 0);
  return out;
}
