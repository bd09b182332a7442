/**
 * Readers for form parameters that refuse what Stripe refuses, with Stripe's error codes
 * (parameter_missing, parameter_invalid_integer, parameter_unknown, …).
 */
import { FakeStripeError, invalidRequest } from './errors.js';
import type { FormObject, FormValue } from './form.js';
import type { Metadata } from './objects.js';

/** Stripe refuses any top-level parameter an endpoint does not know. `expand` is always allowed. */
export function onlyKnown(params: FormObject, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (key !== 'expand' && !known.includes(key)) throw invalidRequest(`Received unknown parameter: ${key}`, 'parameter_unknown', key);
  }
}

export function optString(params: FormObject, name: string): string | null {
  const v = params[name];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${name}`, 'parameter_invalid_string', name);
  return v;
}

export function reqString(params: FormObject, name: string): string {
  const v = optString(params, name);
  if (v === null) throw missing(name);
  return v;
}

/** A positive integer in minor units, as every Stripe amount is. */
export function optAmount(params: FormObject, name: string): number | null {
  const v = optString(params, name);
  if (v === null) return null;
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) throw invalidRequest(`Invalid integer: ${v}`, 'parameter_invalid_integer', name);
  const n = Number(v);
  if (n < 1) throw invalidRequest(`This value must be greater than or equal to 1.`, 'parameter_invalid_integer', name);
  return n;
}

export function reqAmount(params: FormObject, name: string): number {
  const n = optAmount(params, name);
  if (n === null) throw missing(name);
  return n;
}

export function currencyParam(params: FormObject, name = 'currency'): string {
  const c = reqString(params, name).toLowerCase();
  if (!/^[a-z]{3}$/.test(c)) throw invalidRequest(`Invalid currency: ${c}.`, 'parameter_invalid_string', name);
  return c;
}

export function boolParam(params: FormObject, name: string): boolean {
  const v = optString(params, name);
  if (v === null || v === 'false') return false;
  if (v === 'true') return true;
  throw invalidRequest(`Invalid boolean: ${v}`, 'parameter_invalid_boolean', name);
}

/** metadata[key]=value; an empty value unsets the key (Stripe's rule), which on create means absent. */
export function metadataParam(params: FormObject, name = 'metadata'): Metadata {
  const v = params[name];
  if (v === undefined || v === '') return {};
  if (typeof v === 'string' || Array.isArray(v)) throw invalidRequest(`Invalid object`, 'parameter_invalid_object', name);
  const out: Metadata = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw invalidRequest(`Invalid metadata value for key ${k}`, 'parameter_invalid_string', `${name}[${k}]`);
    if (k.length > 40) throw invalidRequest(`Metadata keys can have up to 40 characters.`, 'parameter_invalid_string', `${name}[${k}]`);
    if (value.length > 500) throw invalidRequest(`Metadata values can have up to 500 characters.`, 'parameter_invalid_string', `${name}[${k}]`);
    if (value !== '') out[k] = value;
  }
  return out;
}

export function objectParam(params: FormObject, name: string): FormObject | null {
  const v = params[name];
  if (v === undefined || v === '') return null;
  if (typeof v === 'string' || Array.isArray(v)) throw invalidRequest(`Invalid object`, 'parameter_invalid_object', name);
  return v;
}

export function expandParam(params: FormObject): string[] {
  const v: FormValue | undefined = params['expand'];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : Object.values(v);
  return list.map((x) => {
    if (typeof x !== 'string') throw invalidRequest('Invalid array', 'parameter_invalid_array', 'expand');
    return x;
  });
}

function missing(name: string): FakeStripeError {
  return invalidRequest(`Missing required param: ${name}.`, 'parameter_missing', name);
}
