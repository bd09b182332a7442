/**
 * Time helpers over instants given as data. Nothing here reads the clock: callers pass instants
 * taken from events. Time-zone arithmetic uses the ICU data built into Node (Intl), which is
 * deterministic for a given Node build.
 */

export const SECOND_MS = 1000;
export const HOUR_MS = 3600 * SECOND_MS;
export const DAY_MS = 24 * HOUR_MS;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function isIsoUtc(text: string): boolean {
  return ISO_UTC.test(text) && !Number.isNaN(Date.parse(text));
}

export function parseIsoUtc(text: string): number {
  if (!isIsoUtc(text)) throw new RangeError(`not an ISO 8601 UTC instant: ${text}`);
  return Date.parse(text);
}

/** Canonical text of an instant: second precision when the milliseconds are zero. */
export function formatIsoUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

const knownZones = new Map<string, boolean>();

export function isTimeZone(zone: string): boolean {
  // Building a formatter is costly and every booking event names its zone: remember the answer.
  const known = knownZones.get(zone);
  if (known !== undefined) return known;
  let ok = true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    ok = false;
  }
  if (knownZones.size < 1000) knownZones.set(zone, ok);
  return ok;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` from UTC at instant `ms`, in milliseconds (local = utc + offset). */
function offsetAt(zone: string, ms: number): number {
  const parts = Object.fromEntries(formatterFor(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The UTC instant of a local wall-clock time in `zone`. A time that does not exist (skipped by a DST
 * jump forward) resolves to the instant after the gap, shifted by the gap's length; an ambiguous time
 * (repeated when clocks go back) resolves to the earlier instant. This matches the behaviour of
 * java.time and Temporal's "compatible" disambiguation.
 */
const localToUtcMemo = new Map<string, number>();

export function localToUtc(date: string, time: string, zone: string): number {
  // Pure and called for every night of every decision: remember recent answers.
  const key = `${date}T${time} ${zone}`;
  const known = localToUtcMemo.get(key);
  if (known !== undefined) return known;
  const ms = computeLocalToUtc(date, time, zone);
  if (localToUtcMemo.size >= 10_000) localToUtcMemo.delete(localToUtcMemo.keys().next().value!);
  localToUtcMemo.set(key, ms);
  return ms;
}

function computeLocalToUtc(date: string, time: string, zone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, 0);
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const candidates = [...new Set([before, after])]
    .map((off) => wall - off)
    .filter((ms) => offsetAt(zone, ms) + ms === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: use the offset from before the transition (moves the time forward by the gap).
  return wall - before;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10);
}

export function isLocalDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

export function isLocalTime(text: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(text);
}

/** Whole days from date a to date b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}
