import { parseArgs } from 'node:util';
import { ConfigError, parseOutboundSecretsKey } from '../config.js';
import type { Db } from '../db/connect.js';
import { formatIsoUtc, HOUR_MS } from '../kernel/index.js';
import { checkEndpointUrl, EndpointRefused, type LookupAll } from '../flows/outbound/address-guard.js';
import { addEndpoint, changeEndpoint, currentEndpoints, endpointVersions, parseEventFilter, rotateEndpoint } from '../flows/outbound/endpoints.js';
import { DELIVERY_STATUSES, listDeliveries, resendDelivery, type DeliveryStatus } from '../flows/outbound/deliveries.js';

export const OUTBOUND_USAGE = `  endpoints add <url> --events <type,…|*> [--allow-private]   add an outbound endpoint; prints its whsec_ secret (once)
  endpoints list [--history]                 endpoints at their current version (every version with --history)
  endpoints disable|enable <endpoint_id>     stop or resume deliveries (a new version)
  endpoints rotate <endpoint_id> [--overlap-hours 24]   new secret; both sign until the overlap ends
  deliveries [--status pending|retrying|delivered|dead|gone] [--endpoint ID] [--booking ID]
  deliveries resend <event_id> <endpoint_id> send a delivered or dead event again (same webhook-id)`;

export type OutboundCliContext = { db: Db; env: NodeJS.ProcessEnv; out: (s?: string) => void; now_ms: number; lookup?: LookupAll };

/** `mybnb endpoints …` and `mybnb deliveries …`: the operator's side of outbound events (#15). */
export async function runOutboundCli(argv: string[], ctx: OutboundCliContext): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { events: { type: 'string' }, 'allow-private': { type: 'boolean' }, 'overlap-hours': { type: 'string' }, history: { type: 'boolean' }, status: { type: 'string' }, endpoint: { type: 'string' }, booking: { type: 'string' } },
  });
  const [group, sub, ...rest] = positionals;
  const { db, out } = ctx;
  const now_iso = formatIsoUtc(ctx.now_ms);
  const secretsKey = () => {
    const key = parseOutboundSecretsKey(ctx.env.OUTBOUND_SECRETS_KEY);
    if (!key) throw new ConfigError('OUTBOUND_SECRETS_KEY', 'is required to make endpoint secrets (set the same value the service runs with)');
    return key;
  };
  if (group === 'endpoints') {
    switch (sub) {
      case 'add': {
        const raw = rest[0];
        if (!raw || !values.events) throw new Error('endpoints add <url> --events <type,…|*>');
        const events = parseEventFilter(values.events);
        const key = secretsKey();
        let url: URL;
        try {
          url = await checkEndpointUrl(raw, { allowPrivate: values['allow-private'] === true, allowHttp: ctx.env.NODE_ENV === 'development', lookup: ctx.lookup });
        } catch (e) {
          if (e instanceof EndpointRefused) {
            out(`refused (${e.code}): ${e.message}`);
            return 1;
          }
          throw e;
        }
        const { endpoint, secret } = await addEndpoint(db, { url: url.toString(), events, allow_private: values['allow-private'] === true, secretsKey: key, now_iso });
        out(`endpoint ${endpoint.endpoint_id} added: ${endpoint.url} events=${events.join(',')}${endpoint.allow_private ? ' (private addresses allowed)' : ''}`);
        out(`secret (shown once; give it to the receiver): ${secret}`);
        return 0;
      }
      case 'list': {
        const rows = values.history ? await endpointVersions(db) : await currentEndpoints(db);
        for (const e of rows) out(`${e.endpoint_id}  v${e.version}  ${e.status.padEnd(8)} ${e.change.padEnd(8)} ${e.url}  events=${e.events.join(',')}  secret=${e.secret_fingerprint}${e.previous_valid_until ? ` (previous until ${e.previous_valid_until})` : ''}${e.reason ? `  reason: ${e.reason}` : ''}`);
        out(`${rows.length} endpoint(s)${values.history ? ' versions' : ''}`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const id = rest[0];
        if (!id) throw new Error(`endpoints ${sub} <endpoint_id>`);
        const e = await changeEndpoint(db, id, sub === 'disable' ? 'disabled' : 'enabled', `by the operator (${sub})`, now_iso);
        out(`${e.endpoint_id} is ${e.status} (v${e.version})`);
        return 0;
      }
      case 'rotate': {
        const id = rest[0];
        if (!id) throw new Error('endpoints rotate <endpoint_id> [--overlap-hours 24]');
        const hours = Number(values['overlap-hours'] ?? 24);
        if (!Number.isFinite(hours) || hours < 0 || hours > 24 * 30) throw new Error('--overlap-hours is 0 to 720');
        const { endpoint, secret } = await rotateEndpoint(db, id, { secretsKey: secretsKey(), overlap_ms: hours * HOUR_MS, now_ms: ctx.now_ms, now_iso });
        out(`${endpoint.endpoint_id} rotated (v${endpoint.version}); the previous secret also signs until ${endpoint.previous_valid_until}`);
        out(`new secret (shown once): ${secret}`);
        return 0;
      }
      default:
        out(OUTBOUND_USAGE);
        return 2;
    }
  }
  if (group === 'deliveries') {
    if (sub === 'resend') {
      const [event_id, endpoint_id] = rest;
      if (!event_id || !endpoint_id) throw new Error('deliveries resend <event_id> <endpoint_id>');
      const { round } = await resendDelivery(db, { event_id, endpoint_id, now_iso });
      out(`${event_id} → ${endpoint_id}: sent again (round ${round}), with the same webhook-id`);
      return 0;
    }
    if (sub !== undefined) {
      out(OUTBOUND_USAGE);
      return 2;
    }
    const status = values.status as DeliveryStatus | undefined;
    if (status && !DELIVERY_STATUSES.includes(status)) throw new Error(`--status is one of ${DELIVERY_STATUSES.join(', ')}`);
    const rows = await listDeliveries(db, { status, endpoint_id: values.endpoint, booking_id: values.booking, limit: 1000 });
    for (const d of rows) out(`${d.status.padEnd(9)} ${d.event_id}  ${d.type.padEnd(22)} ${d.booking_id ?? d.host_id ?? '-'} seq=${d.seq}  → ${d.endpoint_id}  attempts=${d.attempts}${d.last_attempt?.error_code ? ` last=${d.last_attempt.error_code}` : ''}${d.last_attempt?.next_attempt_at ? ` next=${d.last_attempt.next_attempt_at}` : ''}`);
    out(`${rows.length} deliver${rows.length === 1 ? 'y' : 'ies'}`);
    return 0;
  }
  out(OUTBOUND_USAGE);
  return 2;
}
