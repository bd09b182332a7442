import { randomBytes } from 'node:crypto';
import { canonicalJson, DomainError } from '../../kernel/index.js';
import { isUniqueViolation, toInt, type Db } from '../../db/connect.js';
import { isOutboundEventType, OUTBOUND_EVENT_TYPES, type OutboundEventType } from './catalogue.js';
import { deriveSecret, fingerprintOf, newSalt } from './secrets.js';

export type EndpointChange = 'added' | 'disabled' | 'enabled' | 'rotated' | 'gone';

/** One version of an endpoint; the latest version is the endpoint's current state. */
export type Endpoint = {
  endpoint_id: string; version: number; url: string; events: string[]; status: 'enabled' | 'disabled'; allow_private: boolean;
  secret_salt: string; secret_fingerprint: string; previous_secret_salt: string | null; previous_valid_until: string | null;
  from_event_row: number; change: EndpointChange; reason: string | null; changed_at: string;
};

type Row = Omit<Endpoint, 'events' | 'allow_private' | 'version' | 'from_event_row'> & { events: string; allow_private: unknown; version: unknown; from_event_row: unknown };

function fromRow({ id: _id, ...r }: Row & { id?: unknown }): Endpoint {
  return { ...r, version: toInt(r.version), from_event_row: toInt(r.from_event_row), events: JSON.parse(r.events) as string[], allow_private: r.allow_private === true || r.allow_private === 1 || r.allow_private === '1' };
}

/** `--events a,b` or `*`, every type checked against the catalogue. */
export function parseEventFilter(raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new DomainError('validation_failed', '--events needs a comma-separated list of event types, or *', { field: 'events' });
  if (items.includes('*')) return ['*'];
  for (const t of items) {
    if (!isOutboundEventType(t)) throw new DomainError('validation_failed', `unknown event type ${t}; known: ${OUTBOUND_EVENT_TYPES.join(', ')}`, { field: 'events' });
  }
  return [...new Set(items)].sort();
}

export function wants(endpoint: Pick<Endpoint, 'events'>, type: OutboundEventType | string): boolean {
  return endpoint.events.includes('*') || endpoint.events.includes(type);
}

export async function endpointVersions(db: Db, endpoint_id?: string): Promise<Endpoint[]> {
  let q = db('outbound_endpoints').orderBy('endpoint_id').orderBy('version');
  if (endpoint_id) q = q.where({ endpoint_id });
  return ((await q) as Row[]).map(fromRow);
}

/** Every endpoint at its latest version. */
export async function currentEndpoints(db: Db): Promise<Endpoint[]> {
  const latest = new Map<string, Endpoint>();
  for (const e of await endpointVersions(db)) latest.set(e.endpoint_id, e);
  return [...latest.values()];
}

export async function currentEndpoint(db: Db, endpoint_id: string): Promise<Endpoint | undefined> {
  const all = await endpointVersions(db, endpoint_id);
  return all[all.length - 1];
}

async function insertVersion(db: Db, e: Endpoint): Promise<Endpoint> {
  try {
    await db('outbound_endpoints').insert({ ...e, events: canonicalJson(e.events) });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Error(`endpoint ${e.endpoint_id} changed concurrently; try again`, { cause: err });
    throw err;
  }
  return e;
}

/**
 * Adds an endpoint (the URL was checked by the caller: checkEndpointUrl). It receives the events
 * emitted from now on, not the history. Returns the secret, shown to the operator once.
 */
export async function addEndpoint(db: Db, x: { url: string; events: string[]; allow_private: boolean; secretsKey: string; now_iso: string }): Promise<{ endpoint: Endpoint; secret: string }> {
  const salt = newSalt();
  const secret = deriveSecret(x.secretsKey, salt);
  const last = await db('outbound_events').max({ m: 'id' }).first();
  const endpoint = await insertVersion(db, {
    endpoint_id: `ep_${randomBytes(8).toString('hex')}`, version: 1, url: x.url, events: x.events, status: 'enabled', allow_private: x.allow_private,
    secret_salt: salt, secret_fingerprint: fingerprintOf(secret), previous_secret_salt: null, previous_valid_until: null,
    from_event_row: toInt(last?.m ?? 0), change: 'added', reason: null, changed_at: x.now_iso,
  });
  return { endpoint, secret };
}

async function requireEndpoint(db: Db, endpoint_id: string): Promise<Endpoint> {
  const e = await currentEndpoint(db, endpoint_id);
  if (!e) throw new DomainError('not_found', `no endpoint ${endpoint_id}`);
  return e;
}

/** A new version with the given change; the endpoint's history stays. */
export async function changeEndpoint(db: Db, endpoint_id: string, change: 'disabled' | 'enabled' | 'gone', reason: string | null, now_iso: string): Promise<Endpoint> {
  const e = await requireEndpoint(db, endpoint_id);
  const status = change === 'enabled' ? 'enabled' : 'disabled';
  if (e.status === status) return e;
  return insertVersion(db, { ...e, version: e.version + 1, status, change, reason, changed_at: now_iso });
}

/**
 * A new secret. Until `overlap_ms` has passed, deliveries carry both signatures (the new and the
 * old), so a consumer can switch its secret without losing a delivery; then only the new one.
 */
export async function rotateEndpoint(db: Db, endpoint_id: string, x: { secretsKey: string; overlap_ms: number; now_ms: number; now_iso: string }): Promise<{ endpoint: Endpoint; secret: string }> {
  const e = await requireEndpoint(db, endpoint_id);
  const salt = newSalt();
  const secret = deriveSecret(x.secretsKey, salt);
  const endpoint = await insertVersion(db, {
    ...e, version: e.version + 1, secret_salt: salt, secret_fingerprint: fingerprintOf(secret),
    previous_secret_salt: e.secret_salt, previous_valid_until: new Date(x.now_ms + x.overlap_ms).toISOString(),
    change: 'rotated', reason: null, changed_at: x.now_iso,
  });
  return { endpoint, secret };
}

/** The secrets to sign with at `now_ms`: the current one, and the previous during the overlap. */
export function signingSecrets(e: Endpoint, secretsKey: string, now_ms: number): string[] {
  const secrets = [deriveSecret(secretsKey, e.secret_salt)];
  if (e.previous_secret_salt && e.previous_valid_until && Date.parse(e.previous_valid_until) > now_ms) secrets.push(deriveSecret(secretsKey, e.previous_secret_salt));
  return secrets;
}
