import { canonicalJson, DomainError } from '../../kernel/index.js';
import { policyVersionOf } from '../../nora/index.js';
import type { DecisionHandler } from '../handler-shape.js';

/** A policy version enters the log: from then on, confirmations pin to it. */
export const onPolicyPublished: DecisionHandler = (state, event) => {
  const data = event.payload.data as { hash: string; document: unknown };
  const v = policyVersionOf(data.document);
  if (v.hash !== data.hash) throw new DomainError('validation_failed', `policy ${v.kind}/${v.id} v${v.version}: content hash ${v.hash} differs from the published ${data.hash}`);
  if (state.policyVersionExists(v.kind, v.id, v.version)) return { status: 'ignored', code: 'already_published' };
  state.effects.add('policyVersions', { kind: v.kind, id: v.id, version: v.version, hash: v.hash, document: canonicalJson(v.document), inbox_id: event.id });
  return { status: 'processed' };
};
