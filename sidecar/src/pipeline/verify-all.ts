import type { Db } from '../db/connect.js';
import { verifyLedger, type VerifyReport } from '../flows/ledger/index.js';
import { verifyDecisions, type DecisionProblem } from './verify-decisions.js';
import { verifyProvenance, type ProvenanceReport } from './verify-provenance.js';
import { checkAnchor, makeCheckpoint, type AnchorProblem, type Checkpoint } from './checkpoint.js';

export type AnchorKey = { keyId: string; secret: string };

export type FullVerifyReport = {
  ok: boolean;
  ledger: VerifyReport;
  provenance: ProvenanceReport;
  decisions: { checked: number; problems: DecisionProblem[] } | null;
  anchor: AnchorProblem[] | null;
  /** The signed checkpoint of what was just verified (only when it verified and a key is given). */
  checkpoint: Checkpoint | null;
  lines: string[];
};

/**
 * `verify` as the CLI runs it: the chain and balances, the provenance of every entry and decision,
 * every decision re-decided from its recorded input, and (with `anchor`) that the database still
 * extends an anchored checkpoint. A verified database gets a new signed checkpoint to anchor.
 */
export async function verifyAll(db: Db, opts: { anchor?: Checkpoint; key?: AnchorKey; skipDecisions?: boolean; onProgress?: (n: number) => void; now_ms: number }): Promise<FullVerifyReport> {
  const lines: string[] = [];
  const ledger = await verifyLedger(db, opts.onProgress);
  lines.push(`ledger: ${ledger.entries} entries, head ${ledger.head_hash}`);
  if (ledger.first_bad) lines.push(`FIRST BAD ENTRY: seq ${ledger.first_bad.seq}: ${ledger.first_bad.problem} (${ledger.first_bad.detail})`);
  if (ledger.unbalanced_units.length) lines.push(`UNBALANCED units: ${ledger.unbalanced_units.join(', ')}`);

  const provenance = await verifyProvenance(db);
  lines.push(`provenance: ${provenance.entries} entries and ${provenance.decisions} decisions name their inbox events; ${provenance.problems.length} do not hold`);
  for (const p of provenance.problems.slice(0, 20)) lines.push(`  ${p.kind.toUpperCase()} ${p.id}: ${p.problem} (${p.detail})`);

  let decisions: FullVerifyReport['decisions'] = null;
  if (!opts.skipDecisions) {
    decisions = await verifyDecisions(db);
    lines.push(`decisions: ${decisions.checked} re-evaluated, ${decisions.problems.length} differ`);
    for (const p of decisions.problems.slice(0, 20)) lines.push(`  DECISION ${p.decision_id} (${p.action}): ${p.problem}`);
  }

  let anchor: AnchorProblem[] | null = null;
  if (opts.anchor) {
    if (!opts.key) throw new Error('--anchor needs ANCHOR_SECRET, the secret the anchor was signed with');
    anchor = await checkAnchor(db, opts.anchor, opts.key.secret);
    lines.push(anchor.length === 0 ? `anchor: the database extends the checkpoint at seq ${opts.anchor.head_seq} (${opts.anchor.written_at})` : 'ANCHOR: the database does not extend the anchored checkpoint');
    for (const p of anchor) lines.push(`  ${p.problem}: ${p.detail}`);
  }

  const ok = ledger.ok && provenance.ok && (decisions?.problems.length ?? 0) === 0 && (anchor?.length ?? 0) === 0;
  const checkpoint = ok && opts.key ? await makeCheckpoint(db, opts.key, opts.now_ms) : null;
  lines.push(ok ? 'verify: OK' : 'verify: FAILED');
  return { ok, ledger, provenance, decisions, anchor, checkpoint, lines };
}
