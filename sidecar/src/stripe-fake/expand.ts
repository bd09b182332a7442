/**
 * `expand[]` as Stripe applies it: each dotted path replaces an id string with the object it
 * names, one level at a time (`latest_charge.balance_transaction`). Works on a copy.
 */
import { invalidRequest } from './errors.js';
import { snapshot } from './objects.js';

export function expand<T>(object: T, paths: readonly string[], lookup: (id: string) => unknown): T {
  if (paths.length === 0) return object;
  const copy = snapshot(object) as unknown;
  for (const path of paths) expandPath(copy, path.split('.'), path, lookup);
  return copy as T;
}

function expandPath(node: unknown, parts: string[], full: string, lookup: (id: string) => unknown): void {
  const [head, ...rest] = parts;
  if (head === undefined || node === null || typeof node !== 'object') return;
  const holder = node as Record<string, unknown>;
  if (!(head in holder)) throw invalidRequest(`This property cannot be expanded (${full}).`, 'parameter_invalid_string', 'expand');
  let value = holder[head];
  if (typeof value === 'string') {
    const found = lookup(value);
    if (found !== undefined) {
      value = snapshot(found);
      holder[head] = value;
    }
  }
  if (rest.length > 0) expandPath(value, rest, full, lookup);
}
