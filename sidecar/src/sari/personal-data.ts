import { sha256Hex } from '../kernel/index.js';

/**
 * Personal data out of the append-only inbox (issue #13). The inbox can never be erased, so what
 * decisions and audit do not need is removed from every Stripe payload BEFORE it is stored: names,
 * emails, phone numbers, addresses, tax and identity numbers, dates of birth, IP addresses, receipt
 * links, and card details other than `brand` and `last4` (no fingerprint, expiry, country, checks,
 * wallet or network ids). The walk is a pure function of the payload, so the same delivery always
 * stores the same bytes and a replay reads exactly what live dispatch read. docs/privacy.md lists
 * what is kept, why and for how long; sari/personal-data.test.ts proves it on fixtures/stripe.
 */
export const REDACTION_VERSION = 1;

/** Keys removed wherever they appear in a Stripe object. */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'name', 'first_name', 'last_name', 'maiden_name', 'first_name_kana', 'first_name_kanji', 'last_name_kana', 'last_name_kanji', 'full_name_aliases',
  'email', 'receipt_email', 'customer_email', 'support_email',
  'phone', 'customer_phone', 'support_phone',
  'address', 'address_kana', 'address_kanji', 'registered_address', 'support_address', 'shipping', 'customer_shipping', 'customer_address',
  'billing_details', 'customer_details', 'owner',
  'tax_id', 'tax_ids', 'customer_tax_ids', 'id_number', 'ssn_last_4', 'dob', 'nationality', 'political_exposure',
  'ip', 'ip_address', 'user_agent', 'client_ip',
  'receipt_url', 'receipt_number', 'hosted_invoice_url', 'invoice_pdf',
  'fingerprint', 'exp_month', 'exp_year', 'iin', 'issuer', 'network_transaction_id', 'wallet', 'three_d_secure', 'mandate',
  'address_city', 'address_country', 'address_line1', 'address_line2', 'address_state', 'address_zip', 'address_line1_check', 'address_zip_check',
  'bank_name', 'account_holder_name', 'routing_number', 'verification', 'individual', 'representative', 'relationship',
]);

/** Card-like objects keep only these (brand and last4 are printed on receipts and needed in disputes). */
const CARD_KEEP = new Set(['brand', 'last4', 'object', 'id']);

function isCard(key: string | null, value: Record<string, unknown>): boolean {
  return key === 'card' || key === 'card_present' || value.object === 'card';
}

/** A copy of `value` without personal fields; key order is kept so the result is deterministic. */
export function stripPersonalData(value: unknown, key: string | null = null): unknown {
  if (Array.isArray(value)) return value.map((v) => stripPersonalData(v, key));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const card = isCard(key, obj);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (card && !CARD_KEEP.has(k)) continue;
    if (PERSONAL_KEYS.has(k)) continue;
    out[k] = stripPersonalData(v, k);
  }
  return out;
}

/**
 * What the inbox stores of a verified Stripe webhook: the event without personal fields, plus the
 * redaction version and the sha256 of the bytes Stripe signed (so an auditor holding Stripe's copy
 * can tie it to this row without the inbox keeping the personal data).
 */
export function storedStripePayload(raw: Buffer | string, parsed?: unknown): string {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  // `parsed`: JSON.parse of these very bytes, when the caller has it (verification parsed them already).
  const event = stripPersonalData(parsed ?? JSON.parse(text)) as Record<string, unknown>;
  return JSON.stringify({ ...event, mybnb_redaction: { version: REDACTION_VERSION, signed_body_sha256: sha256Hex(text) } });
}
