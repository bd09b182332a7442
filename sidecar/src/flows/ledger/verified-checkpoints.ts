import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../kernel/index.js';
import { toInt, type Db } from '../../db/connect.js';

/** Debits and credits of one unit over every line up to a seq (decimal strings: exact). */
export type UnitTotals = { unit: string; debits_minor: string; credits_minor: string };

/**
 * What a passing verify saw at a seq (issue #11, item 5): the head entry's hash, how many lines and
 * balance checkpoints lie at or below it, and the per-unit sums. A routine verify starts from the
 * newest one it trusts and checks only what came after; `verify --full` starts from the genesis.
 */
export type VerifiedCheckpoint = {
  seq: number;
  entry_hash: string;
  lines: number;
  balance_checkpoints: number;
  per_unit: UnitTotals[];
  mode: 'full' | 'routine';
  from_seq: number;
  verified_at: string;
  key_id: string | null;
  signature: string | null;
};

const body = (c: VerifiedCheckpoint) => canonicalJson({
  seq: c.seq, entry_hash: c.entry_hash, lines: c.lines, balance_checkpoints: c.balance_checkpoints, per_unit: c.per_unit,
  mode: c.mode, from_seq: c.from_seq, verified_at: c.verified_at, key_id: c.key_id,
});
const mac = (secret: string, c: VerifiedCheckpoint) => createHmac('sha256', secret).update(`verified-checkpoint:${body(c)}`).digest('hex');

export type VerifyKey = { keyId: string; secret: string };

export function signVerified(c: Omit<VerifiedCheckpoint, 'key_id' | 'signature'>, key?: VerifyKey): VerifiedCheckpoint {
  const unsigned: VerifiedCheckpoint = { ...c, key_id: key?.keyId ?? null, signature: null };
  return key ? { ...unsigned, signature: mac(key.secret, unsigned) } : unsigned;
}

export function verifiedSignatureValid(c: VerifiedCheckpoint, secret: string): boolean {
  if (!c.signature || !/^[0-9a-f]{64}$/.test(c.signature)) return false;
  const want = Buffer.from(mac(secret, c), 'hex');
  return timingSafeEqual(want, Buffer.from(c.signature, 'hex'));
}

export async function recordVerified(db: Db, c: VerifiedCheckpoint): Promise<void> {
  await db('verified_checkpoints').insert({ ...c, per_unit: canonicalJson(c.per_unit) });
}

type Row = Record<string, unknown>;
const fromRow = (r: Row): VerifiedCheckpoint => ({
  seq: toInt(r.seq), entry_hash: String(r.entry_hash), lines: toInt(r.lines), balance_checkpoints: toInt(r.balance_checkpoints),
  per_unit: JSON.parse(String(r.per_unit)) as UnitTotals[], mode: r.mode === 'routine' ? 'routine' : 'full', from_seq: toInt(r.from_seq),
  verified_at: String(r.verified_at), key_id: r.key_id === null ? null : String(r.key_id), signature: r.signature === null ? null : String(r.signature),
});

/**
 * The newest verified checkpoint a routine verify may start from. With a key (the anchor secret,
 * which the database never sees) only one signed with it counts: anyone who can INSERT could
 * otherwise write a "verified" row at the head and make routine verifies check nothing. Without a
 * key, unsigned rows count (say so to the operator). `skipped` counts newer rows refused.
 */
export async function latestVerified(db: Db, key?: VerifyKey): Promise<{ checkpoint: VerifiedCheckpoint | null; skipped: number }> {
  let skipped = 0;
  for (let before = Number.MAX_SAFE_INTEGER; ; ) {
    const rows = (await db('verified_checkpoints').where('id', '<', before).orderBy('id', 'desc').limit(50).select('*')) as Row[];
    if (rows.length === 0) return { checkpoint: null, skipped };
    for (const r of rows) {
      const c = fromRow(r);
      if (!key || verifiedSignatureValid(c, key.secret)) return { checkpoint: c, skipped };
      skipped++;
    }
    before = toInt(rows[rows.length - 1]!.id);
  }
}
