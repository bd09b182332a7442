import type { Db } from '../../db/connect.js';
import type { JournalEntry } from '../ledger/index.js';
import { assertNever, chart, isHostAccount, isPlatformAccount, KIND, type HostRole } from '../vocabulary.js';
import { loadSubscriptionRows, subscriptionOfHost } from '../subscriptions/store.js';
import { subscriptionEntries } from '../subscriptions/postings.js';

/**
 * The host's subscription in their statement, from the same journal lines: what was charged
 * (invoiced, tax included; less voided), credited back (credit notes, less voided ones), paid by
 * card, offset from payouts (and deducted by transfers), written off; the Stripe fees the platform
 * paid on those payments.
 */
export async function subscriptionStatement(db: Db, host_id: string, from: string, to: string) {
  const sub = subscriptionOfHost(await loadSubscriptionRows(db), host_id);
  if (!sub) return null;
  const inRange = (at: string) => at.slice(0, 10) >= from && at.slice(0, 10) <= to;
  const on = (e: JournalEntry, role: HostRole, dir: 'D' | 'C') => e.lines.filter((l) => isHostAccount(l.account, host_id, role) && l.direction === dir).reduce((a, l) => a + l.amount_minor, 0);
  const given = (e: JournalEntry, dir: 'D' | 'C') => e.lines.filter((l) => l.direction === dir && (isHostAccount(l.account, host_id, 'subscription_receivable') || isHostAccount(l.account, host_id, 'billing_credit') || isHostAccount(l.account, host_id, 'payable') || isPlatformAccount(l.account, 'stripe_balance'))).reduce((a, l) => a + l.amount_minor, 0);
  const out = { subscription_id: sub.subscription_id, currency: sub.currency, charges_minor: 0, credit_notes_minor: 0, paid_minor: 0, offsets_minor: 0, offsets_deducted_minor: 0, written_off_minor: 0, stripe_fees_minor: 0 };
  const entries = await subscriptionEntries(db, sub.subscription_id);
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  for (const e of entries) {
    if (!inRange(e.occurred_at)) continue;
    switch (e.kind) {
      case KIND.subscription_invoiced:
        out.charges_minor += on(e, 'subscription_receivable', 'D') + on(e, 'billing_credit', 'D') - on(e, 'billing_credit', 'C');
        break;
      case KIND.subscription_credit_note:
        out.credit_notes_minor += given(e, 'C');
        break;
      case KIND.subscription_payment:
        out.paid_minor += on(e, 'subscription_receivable', 'C');
        break;
      case KIND.subscription_offset:
        out.offsets_minor += on(e, 'subscription_offset_receivable', 'D');
        break;
      case KIND.subscription_written_off:
        out.written_off_minor += on(e, 'subscription_receivable', 'C');
        break;
      case KIND.stripe_fee:
        out.stripe_fees_minor += e.lines.filter((l) => isPlatformAccount(l.account, 'stripe_fees') && l.direction === 'D').reduce((a, l) => a + l.amount_minor, 0);
        break;
      case KIND.reversal: {
        // A voided invoice or credit note takes back what its entry counted.
        const original = e.reverses_seq === null ? undefined : bySeq.get(e.reverses_seq);
        if (original?.kind === KIND.subscription_invoiced) out.charges_minor -= on(original, 'subscription_receivable', 'D') + on(original, 'billing_credit', 'D') - on(original, 'billing_credit', 'C');
        if (original?.kind === KIND.subscription_credit_note) out.credit_notes_minor -= given(original, 'C');
        if (original?.kind === KIND.subscription_written_off) out.written_off_minor -= on(original, 'subscription_receivable', 'C');
        // An offset undone: the invoice was paid by card before it (pipeline/handlers/invoice.ts).
        if (original?.kind === KIND.subscription_offset) out.offsets_minor -= on(original, 'subscription_offset_receivable', 'D');
        break;
      }
      case KIND.subscription_revenue_recognised:
      case KIND.subscription_offset_returned: // a booking's entry: in offsets_deducted_minor below
      case KIND.payment_received:
      case KIND.cancellation_refund_due:
      case KIND.fees_recognised:
      case KIND.host_penalty:
      case KIND.refund_paid:
      case KIND.host_transfer:
      case KIND.host_recovery:
      case KIND.dispute_withdrawal:
      case KIND.dispute_reinstatement:
      case KIND.dispute_won:
      case KIND.dispute_lost:
      case KIND.credits_earned:
      case KIND.credits_redeemed:
      case KIND.credits_expired:
      case KIND.movement_outside_policy:
      case KIND.modification_refund_due:
      case KIND.balance_payment:
      case KIND.fx_conversion:
      case KIND.platform_payout: // the platform's own balance paid out to its bank (issue #12)
      case KIND.platform_payout_paid:
      case KIND.platform_payout_failed:
        break;
      default:
        assertNever(e.kind);
    }
  }
  // Offsets are deducted by host transfers (booking entries): what those took from the offset account,
  // less what a later payout returned of an offset undone after it was deducted.
  const rows = (await db('journal_lines as l').join('journal_entries as e', 'e.seq', 'l.entry_seq')
    .where('l.account_code', chart.hostOffsetReceivable(host_id, sub.currency).code)
    .andWhere((q) => q.where((a) => a.where('l.direction', 'C').andWhere('e.kind', KIND.host_transfer)).orWhere((a) => a.where('l.direction', 'D').andWhere('e.kind', KIND.subscription_offset_returned)))
    .select('l.amount_minor', 'l.direction', 'e.occurred_at')) as Array<{ amount_minor: unknown; direction: string; occurred_at: string }>;
  out.offsets_deducted_minor = rows.filter((r) => inRange(r.occurred_at)).reduce((a, r) => a + (r.direction === 'C' ? 1 : -1) * Number(r.amount_minor), 0);
  return out;
}
