import { canonicalJson, formatIsoUtc } from '../kernel/index.js';
import type { Db } from '../db/connect.js';
import type { PolicyVersion } from '../nora/index.js';
import { readInboxEvent, storeInboxEvent } from '../sari/inbox.js';

/**
 * Appends `policy.published` for each version the log has not seen. A version already in the log
 * whose file now differs is refused: published versions are immutable; publish v(N+1) instead.
 * The event's time is the confirmation-independent publication moment: the wall clock here is a
 * fact about when the sidecar saw the file, recorded once in the log, never consulted by a decision.
 */
export async function publishPolicies(db: Db, versions: PolicyVersion[], now_ms: number): Promise<{ published: string[] }> {
  const published: string[] = [];
  for (const v of versions) {
    const event_id = `${v.kind}/${v.id}/v${v.version}`;
    const existing = await readInboxEvent(db, 'policy', event_id);
    if (existing) {
      const was = (JSON.parse(existing.payload) as { data: { hash: string } }).data.hash;
      if (was !== v.hash) throw new Error(`policy ${event_id} changed after it was published (${was} -> ${v.hash}): published versions are immutable, add v${v.version + 1}`);
      continue;
    }
    const at = formatIsoUtc(now_ms);
    const payload = canonicalJson({ id: event_id, type: 'policy.published', occurred_at: at, data: { kind: v.kind, id: v.id, version: v.version, hash: v.hash, document: v.document } });
    await storeInboxEvent(db, { source: 'policy', event_id, type: 'policy.published', stream_key: `policy:${v.kind}/${v.id}`, occurred_at: at, payload, received_at: at });
    published.push(event_id);
  }
  return { published };
}
