import { z } from 'zod';
import { canonicalJson, hashOf } from '../../kernel/index.js';
import { differencesOf, DIFFERENCE_KINDS, type ReconciliationReport } from '../../flows/reconciliation/match.js';
import type { EmitInput } from '../../flows/outbound/emit.js';
import type { OutboundEventType } from '../../flows/outbound/catalogue.js';
import type { DecisionHandler } from '../handler-shape.js';

/** The logged report (pipeline/reconciliation-run.ts), checked before it is stored. */
const LoggedReport = z.object({
  object: z.literal('reconciliation_report'),
  id: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  from: z.string(), to: z.string(),
  stripe_transactions: z.number().int().min(0),
  matched_count: z.number().int().min(0),
  missing_from_ledger: z.array(z.object({ balance_transaction: z.string(), type: z.string(), key: z.string(), amount_minor: z.number().int(), currency: z.string(), explained_by: z.string() })),
  unknown_to_stripe: z.array(z.object({ key: z.string(), kind: z.string(), amount_minor: z.number().int(), currency: z.string(), occurred_at: z.string() })),
  amount_differences: z.array(z.object({ balance_transaction: z.string(), key: z.string(), stripe_minor: z.number().int(), ledger_minor: z.number().int(), currency: z.string() })),
  payout_differences: z.array(z.object({ payout: z.string(), payout_minor: z.number().int(), transactions_minor: z.number().int(), difference_minor: z.number().int(), currency: z.string(), transactions: z.number().int() })),
  outside_policy: z.array(z.record(z.string(), z.unknown())),
  ok: z.boolean(),
});

/**
 * A day's reconciliation report, logged by the run the tick asked for (issue #12): stored once,
 * append-only; each named difference is announced to the booking engine as
 * `reconciliation.mismatch` (the platform's stream). Never an adjustment: nothing is posted.
 */
export const onReconciliationReport: DecisionHandler = (state, event) => {
  const parsed = LoggedReport.safeParse(event.payload);
  if (!parsed.success) return { status: 'ignored', code: 'invalid_report', reason: `not a reconciliation report: ${parsed.error.issues[0]?.path.join('.')}` };
  const r = parsed.data;
  const diffs = differencesOf({ ...r, matched: [] } as unknown as ReconciliationReport);
  const counts = Object.fromEntries([...DIFFERENCE_KINDS.map((k) => [k, diffs.filter((d) => d.kind === k).length]), ['matched', r.matched_count], ['outside_policy', r.outside_policy.length]]);
  state.effects.add('reconciliationReports', {
    report_id: r.id, period_from: r.from, period_to: r.to, ok: diffs.length === 0, differences: diffs.length,
    counts: canonicalJson(counts), report: canonicalJson(event.payload), report_hash: hashOf(event.payload), inbox_id: event.id,
  });
  for (const d of diffs) {
    const input: EmitInput<'reconciliation.mismatch'> = {
      type: 'reconciliation.mismatch', platform: true, occurred_at: event.occurred_at, inbox_id: event.id, key: `${r.id}:${d.kind}:${d.object_id}:${d.key}`,
      data: {
        object_id: d.object_id, difference: d.kind, ledger_amount_minor: d.ledger_minor, stripe_amount_minor: d.stripe_minor,
        amount_minor: Math.abs((d.stripe_minor ?? 0) - (d.ledger_minor ?? 0)), currency: d.currency, rule: null, decision_id: null,
        entry_ids: d.kind === 'unknown_to_stripe' ? [d.object_id] : [],
      },
    };
    state.effects.add('outbound', input as unknown as EmitInput<OutboundEventType>);
  }
  return { status: 'processed', code: diffs.length === 0 ? 'reconciled' : 'differences_found', reason: `${r.id}: ${r.matched_count} matched, ${diffs.length} difference(s), ${r.outside_policy.length} outside policy` };
};
