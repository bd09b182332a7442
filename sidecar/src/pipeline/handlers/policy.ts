import { canonicalJson, DomainError } from '../../kernel/index.js';
import { insertPolicyVersion } from '../../flows/evidence/policy-versions.js';
import { policyVersionOf } from '../../nora/index.js';
import type { HandlerContext, HandlerResult } from '../context.js';

/** A policy version enters the log: from then on, confirmations pin to it. */
export async function onPolicyPublished({ db, event, payload }: HandlerContext): Promise<HandlerResult> {
  const data = payload.data as { hash: string; document: unknown };
  const v = policyVersionOf(data.document);
  if (v.hash !== data.hash) throw new DomainError('validation_failed', `policy ${v.kind}/${v.id} v${v.version}: content hash ${v.hash} differs from the published ${data.hash}`);
  const inserted = await insertPolicyVersion(db, { kind: v.kind, id: v.id, version: v.version, hash: v.hash, document: canonicalJson(v.document), inbox_id: event.id });
  return inserted ? { status: 'processed' } : { status: 'ignored', code: 'already_published' };
}
