/**
 * Decodes Stripe's v1 form encoding (`metadata[booking_id]=bk_1&expand[0]=charge`) into nested
 * objects. Every leaf stays a string, as on the wire: each endpoint converts the fields it knows,
 * so an unparseable amount is refused the way Stripe refuses it instead of silently becoming NaN.
 */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  if (body.length === 0) return root;
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = splitKey(rawKey);
    if (path.length === 0) continue;
    assign(root, path, value);
  }
  return arraysFromIndexedObjects(root) as FormObject;
}

/** `a[b][0]` -> ['a', 'b', '0']; `a[]` -> ['a', ''] (append). */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key.slice(open))) !== null) parts.push(m[1] ?? '');
  return parts;
}

function assign(target: FormObject, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    let key = path[i] ?? '';
    if (key === '') key = String(Object.keys(node).length); // `x[]` appends
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === undefined || typeof next === 'string' || Array.isArray(next)) {
      const created: FormObject = {};
      node[key] = created;
      node = created;
    } else {
      node = next;
    }
  }
}

/** Objects whose keys are exactly 0..n-1 become arrays (the SDK encodes arrays with indices). */
function arraysFromIndexedObjects(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const k of keys) value[k] = arraysFromIndexedObjects(value[k] as FormValue);
  const isList = keys.length > 0 && keys.every((k, i) => k === String(i));
  return isList ? keys.map((k) => value[k] as FormValue) : value;
}
