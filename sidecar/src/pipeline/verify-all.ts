import type { Db } from '../db/connect.js';
import { latestVerified, recordVerified, signVerified, verifyLedger, verifyLedgerSince, type VerifiedCheckpoint, type VerifyReport } from '../flows/ledger/index.js';
import { formatIsoUtc } from '../kernel/index.js';
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
  /** The verified checkpoint recorded in the database for the next routine verify (when it verified). */
  verified: VerifiedCheckpoint | null;
  /** The signed checkpoint of what was just verified (only when it verified and a key is given). */
  checkpoint: Checkpoint | null;
  lines: string[];
};

/**
 * `verify` as the CLI runs it: the chain and balances, the provenance of every entry and decision,
 * every decision re-decided from its recorded input, and (with `anchor`) that the database still
 * extends an anchored checkpoint. A verified database gets a new signed checkpoint to anchor.
 */
export async function verifyAll(db: Db, opts: { anchor?: Checkpoint; key?: AnchorKey; skipDecisions?: boolean; onProgress?: (n: number) => void; now_ms: number; mode?: 'routine' | 'full' }): Promise<FullVerifyReport> {
  const lines: string[] = [];
  // routine: the ledger from the newest verified checkpoint this key trusts (a full verify when there is none).
  const start = opts.mode === 'routine' ? await latestVerified(db, opts.key) : { checkpoint: null, skipped: 0 };
  if (start.skipped > 0) lines.push(`verified checkpoints: ${start.skipped} newer row(s) not signed with this anchor key were ignored`);
  const ledger = start.checkpoint ? await verifyLedgerSince(db, start.checkpoint, opts.onProgress) : await verifyLedger(db, opts.onProgress);
  lines.push(ledger.mode === 'routine'
    ? `ledger (routine, from the verified checkpoint at seq ${ledger.from_seq}${start.checkpoint!.signature ? '' : ', unsigned'}): ${ledger.entries} new entries checked, head ${ledger.head_seq} ${ledger.head_hash}; rows at or below seq ${ledger.from_seq} ${ledger.below === 'guarded' ? 'guarded by the database (no row can be added there or removed), not recounted' : 'counted'}, not re-hashed (verify --full re-hashes them)`
    : `ledger: ${ledger.entries} entries, head ${ledger.head_hash}`);
  if (ledger.first_bad) lines.push(`FIRST BAD ENTRY: seq ${ledger.first_bad.seq}: ${ledger.first_bad.problem} (${ledger.first_bad.detail})`);
  if (ledger.unbalanced_units.length) lines.push(`UNBALANCED units: ${ledger.unbalanced_units.join(', ')}`);
  lines.push(`balance checkpoints: ${ledger.checkpoints_checked} recomputed from the lines`);
  if (ledger.bad_checkpoint) lines.push(`BAD BALANCE CHECKPOINT: ${ledger.bad_checkpoint.account} at seq ${ledger.bad_checkpoint.seq}: ${ledger.bad_checkpoint.problem} (${ledger.bad_checkpoint.detail})`);

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
  let verified: VerifiedCheckpoint | null = null;
  if (ledger.ok && (anchor?.length ?? 0) === 0) {
    // The ledger's own checks stand behind it (provenance and decisions are re-run in full every time).
    verified = signVerified({ seq: ledger.head_seq, entry_hash: ledger.head_hash, lines: ledger.at.lines, balance_checkpoints: ledger.at.balance_checkpoints, per_unit: ledger.at.per_unit, mode: ledger.mode, from_seq: ledger.from_seq, verified_at: formatIsoUtc(opts.now_ms) }, opts.key);
    await recordVerified(db, verified);
    lines.push(`verified checkpoint: seq ${verified.seq}${verified.signature ? ` (signed, ${verified.key_id})` : ' (unsigned: set ANCHOR_SECRET so routine verifies trust only signed ones)'}`);
  }
  const checkpoint = ok && opts.key ? await makeCheckpoint(db, opts.key, opts.now_ms) : null;
  lines.push(ok ? 'verify: OK' : 'verify: FAILED');
  return { ok, ledger, provenance, decisions, anchor, verified, checkpoint, lines };
}
