import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';

/**
 * No SSRF through an endpoint URL: loopback, private, link-local, shared, reserved and multicast
 * addresses (IPv4 and IPv6, including IPv4 embedded in IPv6) are refused unless the endpoint was
 * added with --allow-private. Checked when the endpoint is added and again at every delivery, on
 * the very address the connection uses (a DNS name may change what it resolves to).
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64], ['2001::', 23],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, compatible ::a.b.c.d). */
function embeddedV4(ip: string): string | null {
  const words = expandV6(ip);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  if (zero(0, 6) && (words[6] !== 0 || words[7]! > 1)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return null;
}

function expandV6(ip: string): number[] | null {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const p = dotted[1]!.split('.').map(Number);
    s = s.slice(0, -dotted[1]!.length) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const part = (x: string) => (x === '' ? [] : x.split(':').map((h) => parseInt(h, 16)));
  const a = part(head);
  const b = tail === undefined ? [] : part(tail);
  const fill = 8 - a.length - b.length;
  if (tail === undefined ? a.length !== 8 : fill < 0) return null;
  const words = [...a, ...new Array(tail === undefined ? 0 : fill).fill(0), ...b];
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null;
}

/** True for any address an endpoint may not reach without --allow-private. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip.replace(/^\[|\]$/g, ''));
  const bare = ip.replace(/^\[|\]$/g, '');
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(bare);
    if (v4 !== null) return BLOCKED.check(v4, 'ipv4');
    return BLOCKED.check(bare, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookupAll: LookupAll = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

export class EndpointRefused extends Error {
  constructor(readonly code: 'endpoint_url_invalid' | 'endpoint_https_required' | 'endpoint_private_address' | 'endpoint_unresolvable', message: string) {
    super(message);
    this.name = 'EndpointRefused';
  }
}

export type UrlRules = { allowPrivate: boolean; allowHttp: boolean; lookup?: LookupAll };

/** Checks an endpoint URL as the operator adds it; throws EndpointRefused naming what is wrong. */
export async function checkEndpointUrl(raw: string, rules: UrlRules): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EndpointRefused('endpoint_url_invalid', `not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EndpointRefused('endpoint_url_invalid', 'an endpoint URL is https (http only in development)');
  if (url.protocol === 'http:' && !rules.allowHttp) throw new EndpointRefused('endpoint_https_required', 'https is required outside development (NODE_ENV=development allows http)');
  if (url.username || url.password) throw new EndpointRefused('endpoint_url_invalid', 'credentials in an endpoint URL are refused: the signature authenticates us');
  if (url.hash) throw new EndpointRefused('endpoint_url_invalid', 'an endpoint URL has no #fragment');
  if (rules.allowPrivate) return url;
  await resolvePublic(url.hostname, rules.lookup ?? systemLookupAll);
  return url;
}

/** The host's addresses, all of them public, or EndpointRefused. */
export async function resolvePublic(hostname: string, lookup: LookupAll): Promise<Array<{ address: string; family: number }>> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw new EndpointRefused('endpoint_private_address', `${host} is a loopback or private address (use --allow-private for development)`);
    return [{ address: host, family: isIP(host) }];
  }
  if (host === 'localhost' || host.endsWith('.localhost')) throw new EndpointRefused('endpoint_private_address', `${host} is loopback (use --allow-private for development)`);
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await lookup(host);
  } catch (e) {
    throw new EndpointRefused('endpoint_unresolvable', `${host} does not resolve: ${(e as Error).message}`);
  }
  if (addresses.length === 0) throw new EndpointRefused('endpoint_unresolvable', `${host} has no address`);
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new EndpointRefused('endpoint_private_address', `${host} resolves to ${bad.address}, a loopback or private address (use --allow-private for development)`);
  return addresses;
}
