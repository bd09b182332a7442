import type { Db } from '../../db/connect.js';
import { DIFFERENCE_KINDS, type DifferenceKind } from './match.js';

/** One stored daily report (table reconciliation_reports, migration 022): append-only, never adjusted. */
export type ReconciliationReportRow = {
  report_id: string; period_from: string; period_to: string; ok: boolean; differences: number;
  counts: string; report: string; report_hash: string; inbox_id: number;
};

/** The latest stored report's differences by kind (zero for each kind before any report): what the metric shows. */
export async function latestDifferenceCounts(db: Db): Promise<Record<DifferenceKind, number>> {
  const out = Object.fromEntries(DIFFERENCE_KINDS.map((k) => [k, 0])) as Record<DifferenceKind, number>;
  const last = (await db('reconciliation_reports').orderBy('period_from', 'desc').orderBy('id', 'desc').first('counts')) as { counts: string } | undefined;
  if (!last) return out;
  const counts = JSON.parse(last.counts) as Record<string, number>;
  for (const k of DIFFERENCE_KINDS) out[k] = counts[k] ?? 0;
  return out;
}

/** Stored reports, newest day first. */
export async function storedReports(db: Db, limit = 31): Promise<Array<Omit<ReconciliationReportRow, 'report' | 'counts'> & { counts: Record<string, number> }>> {
  const rows = (await db('reconciliation_reports').orderBy('period_from', 'desc').limit(limit).select('report_id', 'period_from', 'period_to', 'ok', 'differences', 'counts', 'report_hash', 'inbox_id')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ report_id: String(r.report_id), period_from: String(r.period_from), period_to: String(r.period_to), ok: Boolean(r.ok), differences: Number(r.differences), counts: JSON.parse(String(r.counts)) as Record<string, number>, report_hash: String(r.report_hash), inbox_id: Number(r.inbox_id) }));
}
