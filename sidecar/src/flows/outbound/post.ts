import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import { EndpointRefused, isPrivateAddress, resolvePublic, systemLookupAll, type LookupAll } from './address-guard.js';

export type PostResult = { status: number | null; error_code: string | null; error_message: string | null; duration_ms: number };

export type PostOptions = { timeout_ms: number; allowPrivate: boolean; allowHttp: boolean; lookup?: LookupAll; agents?: { http: http.Agent; https: https.Agent } };

/**
 * One POST of a signed body: no redirect is followed (a 3xx is a failed attempt), the whole
 * exchange is bounded by `timeout_ms`, and the connection goes only to an address that passed
 * the private-address check at this very moment (the check runs inside the connection's DNS
 * lookup, so a name that changes what it resolves to cannot slip past it).
 */
export async function postSigned(url: URL, headers: Record<string, string>, body: string, o: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Omit<PostResult, 'duration_ms'>): PostResult => ({ ...r, duration_ms: Math.round(performance.now() - started) });
  const lookupAll = o.lookup ?? systemLookupAll;
  try {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && o.allowHttp)) throw new EndpointRefused('endpoint_https_required', 'https is required outside development');
    if (!o.allowPrivate) await resolvePublicIfLiteral(url.hostname, lookupAll);
  } catch (e) {
    if (e instanceof EndpointRefused) return done({ status: null, error_code: e.code, error_message: e.message });
    throw e;
  }
  const lookup = (hostname: string, options: { all?: boolean }, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    lookupAll(hostname).then((list) => {
      const bad = o.allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return cb(new EndpointRefused('endpoint_private_address', `${hostname} resolves to ${bad.address}, a loopback or private address`), '');
      if (list.length === 0) return cb(new EndpointRefused('endpoint_unresolvable', `${hostname} has no address`), '');
      if (options.all) return cb(null, list as LookupAddress[]);
      return cb(null, list[0]!.address, list[0]!.family);
    }, (err: Error) => cb(err, ''));
  };
  return new Promise<PostResult>((resolve) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'MyBnB-Payments-Webhooks/1' },
      lookup: lookup as never,
      agent: o.agents ? (url.protocol === 'https:' ? o.agents.https : o.agents.http) : undefined,
    }, (res) => {
      res.resume(); // the answer's body is not read: only its status counts
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        const redirect = status >= 300 && status < 400;
        resolve(done({ status, error_code: status >= 200 && status < 300 ? null : redirect ? 'redirect_not_followed' : `http_${status}`, error_message: redirect ? `redirect to ${String(res.headers.location ?? '?')} not followed` : null }));
      });
      res.on('error', (err) => finish(err));
    });
    const finish = (err: Error) => {
      clearTimeout(timer);
      const code = err instanceof EndpointRefused ? err.code : err.message === 'delivery_timeout' ? 'timeout' : ((err as { code?: string }).code ?? 'network_error');
      resolve(done({ status: null, error_code: code, error_message: err.message.slice(0, 500) }));
    };
    const timer = setTimeout(() => req.destroy(new Error('delivery_timeout')), o.timeout_ms);
    req.on('error', finish);
    req.end(body);
  });
}

async function resolvePublicIfLiteral(hostname: string, lookup: LookupAll): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  // Literal addresses and localhost never reach the lookup hook: check them here.
  if (/^[\d.]+$/.test(host) || host.includes(':') || host === 'localhost' || host.endsWith('.localhost')) await resolvePublic(host, lookup);
}
