import { z } from 'zod';
import { ISO_4217_CODES, isIsoUtc, isLocalDate, isLocalTime, isTimeZone, MAX_INPUT_AMOUNT_MINOR, SAFE_ID_PATTERN } from '../kernel/index.js';

/**
 * The booking engine's events, exactly as docs/reference/booking-engine-contract.md lists them
 * (fields may be added, never renamed or dropped). These schemas are the source of
 * schemas/booking-events/*.json and docs/events.md.
 */

// Ids travel into URLs, headers (Content-Disposition), CSV and logs: one safe character set everywhere.
const Id = z.string().regex(SAFE_ID_PATTERN, '1 to 120 letters, digits, _ . : - only');
// `.meta` carries what a refinement cannot say in the published JSON Schemas (scripts/gen-schemas.ts).
const IsoUtc = z.string().refine(isIsoUtc, 'must be an ISO 8601 UTC instant such as 2026-09-01T12:00:00Z')
  .meta({ format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$', description: 'an instant in UTC, ISO 8601 with Z', examples: ['2026-09-01T12:00:00Z'] });
const LocalDate = z.string().refine(isLocalDate, 'must be a calendar date YYYY-MM-DD')
  .meta({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a calendar date at the listing (local), YYYY-MM-DD', examples: ['2026-10-10'] });
const LocalTime = z.string().refine(isLocalTime, 'must be a local time HH:MM')
  .meta({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'a wall-clock time at the listing (local), HH:MM, 24 h', examples: ['15:00'] });
const TimeZone = z.string().min(1).max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
  .meta({ description: 'an IANA time zone name known to the sidecar', examples: ['Europe/Paris'] });
const Currency = z.enum(ISO_4217_CODES as [string, ...string[]], { error: 'must be an ISO 4217 currency code in upper case, e.g. USD' })
  .meta({ description: 'an ISO 4217 currency code (kernel/currencies.ts lists them with their minor units)' });
const AmountMinor = z.number().int('must be an integer number of minor units').min(0).max(MAX_INPUT_AMOUNT_MINOR, 'at most 10^12 minor units');
const Sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>');

export const BookingConfirmedData = z.strictObject({
  booking_id: Id,
  listing_id: Id,
  guest_id: Id,
  host_id: Id,
  check_in: LocalDate,
  check_out: LocalDate,
  check_in_time: LocalTime.default('15:00'),
  time_zone: TimeZone,
  currency: Currency,
  nightly_total: AmountMinor,
  cleaning_fee: AmountMinor,
  guest_service_fee: AmountMinor,
  taxes: AmountMinor,
  cancellation_policy: z.string().regex(/^[a-z0-9_]{1,64}$/, 'a policy id such as moderate'),
  payment_intent_id: z.string().regex(/^pi_[A-Za-z0-9_]{1,120}$/, 'a Stripe PaymentIntent id (pi_…)'),
  /** Optional (an addition to the contract): loyalty credits the guest redeems against the guest service fee. */
  credits_redeemed: z.number().int('must be a whole number of credits').min(0).max(MAX_INPUT_AMOUNT_MINOR, 'at most 10^12 credits').optional(),
}).refine((d) => d.check_out > d.check_in, { message: 'check_out must be after check_in', path: ['check_out'] })
  // Stays of 28 nights or more are accepted and decided by the booking's policy (docs/deviations.md).
  .refine((d) => (Date.parse(d.check_out) - Date.parse(d.check_in)) / 86_400_000 <= 365, { message: 'a stay is at most 365 nights', path: ['check_out'] })
  .meta({ description: 'Also checked: check_out is after check_in, and a stay is at most 365 nights.' });

export const BookingModifiedData = z.strictObject({
  booking_id: Id,
  check_in: LocalDate.optional(),
  check_out: LocalDate.optional(),
  nightly_total: AmountMinor.optional(),
  cleaning_fee: AmountMinor.optional(),
  guest_service_fee: AmountMinor.optional(),
  taxes: AmountMinor.optional(),
  /** Second release: required when the change moves money after payment — the hash of the action=modify preview. */
  consent: z.lazy(() => Consent).optional(),
}).refine((d) => Object.keys(d).filter((k) => k !== 'consent').length > 1, { message: 'a modification changes at least one field', path: ['booking_id'] })
  // Both dates given: their order is known here, so a bad pair is a 422 now, not a dead letter later.
  .refine((d) => d.check_in === undefined || d.check_out === undefined || d.check_out > d.check_in, { message: 'check_out must be after check_in', path: ['check_out'] })
  .meta({ description: 'booking_id and the full new value of each field that changed; at least one field besides booking_id (and consent). When both dates are given, check_out is after check_in. consent: whenever the change moves money after payment.' });

export const Consent = z.strictObject({
  outcome_hash: Sha256,
  actor: z.string().min(1).max(120),
  consented_at: IsoUtc,
});

export const BookingCancelRequestedData = z.strictObject({
  booking_id: Id,
  by: z.enum(['guest', 'host']),
  reason: z.string().max(2000).optional(),
  consent: Consent,
});

export const StayData = z.strictObject({ booking_id: Id });

export const HostConnectedData = z.strictObject({
  host_id: Id,
  stripe_account_id: z.string().regex(/^acct_[A-Za-z0-9]{1,64}$/, 'a Stripe connected account id (acct_…)'),
});

export const ClockTickData = z.strictObject({});

/** Second release: a host cancels their subscription / changes plan, with consent to the preview. */
export const SubscriptionCancelRequestedData = z.strictObject({ host_id: Id, consent: Consent });
export const SubscriptionChangeRequestedData = z.strictObject({
  host_id: Id,
  price: z.string().regex(/^price_[A-Za-z0-9_]{1,120}$/, 'a Stripe price id (price_…)'),
  consent: Consent,
});

/** Second release: re-opens an outbound payment that failed terminally, for one more retry schedule (issue #12). */
export const MoneyRetryRequestedData = z.strictObject({
  intent_id: z.string().max(191).regex(/^mybnb:(refund|transfer|transfer_reversal|balance_transaction|dispute_evidence|invoice_fee|invoice_pay_out_of_band|subscription_update|subscription_cancel):[A-Za-z0-9_.:\-]{1,160}$/, 'an outbox intent id such as mybnb:refund:dec_…'),
});

export const BOOKING_EVENT_DATA = {
  'booking.confirmed': BookingConfirmedData,
  'booking.modified': BookingModifiedData,
  'booking.cancel_requested': BookingCancelRequestedData,
  'stay.checked_in': StayData,
  'stay.completed': StayData,
  'host.connected': HostConnectedData,
  'clock.tick': ClockTickData,
  'subscription.cancel_requested': SubscriptionCancelRequestedData,
  'subscription.change_requested': SubscriptionChangeRequestedData,
  'money.retry_requested': MoneyRetryRequestedData,
} as const;

export type BookingEventType = keyof typeof BOOKING_EVENT_DATA;
export const BOOKING_EVENT_TYPES = Object.keys(BOOKING_EVENT_DATA) as BookingEventType[];

export const BookingEventEnvelope = z.strictObject({
  id: Id,
  type: z.enum(BOOKING_EVENT_TYPES as [BookingEventType, ...BookingEventType[]]),
  occurred_at: IsoUtc,
  data: z.record(z.string(), z.unknown()),
});

export type BookingConfirmed = z.infer<typeof BookingConfirmedData>;
export type BookingModified = z.infer<typeof BookingModifiedData>;
export type BookingCancelRequested = z.infer<typeof BookingCancelRequestedData>;
export type HostConnected = z.infer<typeof HostConnectedData>;

export type BookingEvent =
  | { id: string; type: 'booking.confirmed'; occurred_at: string; data: BookingConfirmed }
  | { id: string; type: 'booking.modified'; occurred_at: string; data: BookingModified }
  | { id: string; type: 'booking.cancel_requested'; occurred_at: string; data: BookingCancelRequested }
  | { id: string; type: 'stay.checked_in' | 'stay.completed'; occurred_at: string; data: { booking_id: string } }
  | { id: string; type: 'host.connected'; occurred_at: string; data: HostConnected }
  | { id: string; type: 'clock.tick'; occurred_at: string; data: Record<string, never> }
  | { id: string; type: 'subscription.cancel_requested'; occurred_at: string; data: z.infer<typeof SubscriptionCancelRequestedData> }
  | { id: string; type: 'subscription.change_requested'; occurred_at: string; data: z.infer<typeof SubscriptionChangeRequestedData> }
  | { id: string; type: 'money.retry_requested'; occurred_at: string; data: { intent_id: string } };

export type ValidationIssue = { field: string; message: string };

/** Validates an envelope and its data; issues name the field by its JSON path (`data.check_in`). */
export function parseBookingEvent(body: unknown): { ok: true; event: BookingEvent } | { ok: false; issues: ValidationIssue[] } {
  const env = BookingEventEnvelope.safeParse(body);
  if (!env.success) return { ok: false, issues: toIssues(env.error, []) };
  const schema = BOOKING_EVENT_DATA[env.data.type];
  const data = schema.safeParse(env.data.data);
  if (!data.success) return { ok: false, issues: toIssues(data.error, ['data']) };
  return { ok: true, event: { ...env.data, data: data.data } as BookingEvent };
}

function toIssues(error: z.ZodError, prefix: Array<string | number>): ValidationIssue[] {
  return error.issues.map((i) => {
    const path = [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const keys = i.code === 'unrecognized_keys' ? ` (${(i as { keys: string[] }).keys.join(', ')})` : '';
    return { field: path.join('.') || '(body)', message: i.message + keys };
  });
}

/** The booking (or host) an event belongs to: its stream in dispatch. */
export function streamKeyOf(event: BookingEvent): string | null {
  if (event.type === 'clock.tick' || event.type === 'money.retry_requested') return null;
  if (event.type === 'host.connected' || event.type === 'subscription.cancel_requested' || event.type === 'subscription.change_requested') return `host:${event.data.host_id}`;
  return event.data.booking_id;
}
