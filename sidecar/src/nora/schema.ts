import { z } from 'zod';

/*
 * The shape of every policy file under policies/<kind>/<id>/v<N>.json. Objects are strict: an
 * unknown key is an error, so the parsed document is exactly the file's content and its hash is
 * stable. Every kind shares the envelope {kind, id, version, title, source, rules}.
 */

const PolicyId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case snake_case id');
const Bps = z.number().int().min(0).max(10_000);

/** A span of real elapsed time. A day is 24 h exactly (a DST change does not stretch it). */
export const DurationSchema = z.union([
  z.strictObject({ days: z.number().int().min(0) }),
  z.strictObject({ hours: z.number().int().min(0) }),
]);
export type Duration = z.infer<typeof DurationSchema>;

const Source = z.strictObject({
  reference: z.string().min(1),
  wording: z.string().min(1),
});

/**
 * Conditions on the cancellation instant `at` (all given must hold). Each is inclusive at its edge
 * ("≥ 24 h before" holds at exactly 24 h before), so the earlier, more generous state owns the edge.
 */
export const ConditionSchema = z.strictObject({
  /** at ≤ check-in moment − d */
  min_before_check_in: DurationSchema.optional(),
  /** at ≤ confirmed_at + d */
  max_after_confirmation: DurationSchema.optional(),
  /** confirmed_at ≤ check-in moment − d (a fact of the booking, independent of `at`) */
  confirmed_min_before_check_in: DurationSchema.optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

/** How much of the nightly total a matched window refunds. */
export const NightlyRuleSchema = z.discriminatedUnion('mode', [
  /** refund_bps of the whole nightly total, rounded up. */
  z.strictObject({ mode: z.literal('percent'), refund_bps: Bps }),
  /**
   * The host keeps every night already stayed plus `stayed_plus_nights` more (never beyond the
   * stay); of the remaining unstayed nights, remaining_refund_bps is refunded (rounded up).
   */
  z.strictObject({ mode: z.literal('host_keeps_nights'), stayed_plus_nights: z.number().int().min(0), remaining_refund_bps: Bps }),
]);
export type NightlyRule = z.infer<typeof NightlyRuleSchema>;

export const WindowSchema = z.strictObject({
  label: z.string().min(1),
  when: ConditionSchema,
  nightly: NightlyRuleSchema,
});
export type Window = z.infer<typeof WindowSchema>;

export const CancellationRulesSchema = z.strictObject({
  /** Windows checked before `windows` (e.g. 24-hour free cancellation); first match wins. */
  overlays: z.array(WindowSchema),
  /** Checked in order after the overlays; first match wins. */
  windows: z.array(WindowSchema),
  /** Applies when no overlay or window matches. */
  otherwise: z.strictObject({ label: z.string().min(1), nightly: NightlyRuleSchema }),
  cleaning_fee: z.literal('refund_in_full_until_check_in'),
  guest_service_fee: z.literal('refund_only_with_full_listing_refund'),
  taxes: z.literal('proportional_to_nightly_refund'),
});

export const HostCancellationRulesSchema = z.strictObject({
  guest_refund: z.literal('everything_paid'),
  guest_credit: z.literal('loyalty_host_cancellation_credit'),
  penalty_basis: z.literal('listing_price'),
  penalty_rounding: z.literal('floor'),
  penalty_windows: z.array(z.strictObject({ label: z.string().min(1), when: ConditionSchema, penalty_bps: Bps })),
  penalty_otherwise: z.strictObject({ label: z.string().min(1), penalty_bps: Bps }),
});

export const FeesRulesSchema = z.strictObject({
  host_fee_bps: Bps,
  host_fee_basis: z.literal('listing_price_kept_by_host'),
  host_fee_rounding: z.literal('floor'),
  guest_service_fee: z.literal('from_booking'),
});

export const PayoutTimingRulesSchema = z.strictObject({
  anchor: z.literal('check_in_moment'),
  delay: DurationSchema,
});

export const LoyaltyRulesSchema = z.strictObject({
  earn: z.strictObject({ basis: z.literal('nightly_total_kept_by_host'), credits_per_major_unit: z.number().int().min(0), on: z.literal('stay_completed') }),
  redeem: z.strictObject({ credits_per_major_unit: z.number().int().min(1), applies_to: z.literal('guest_service_fee'), borne_by: z.literal('platform') }),
  expiry: z.strictObject({ after: DurationSchema }),
  host_cancellation_credit: z.strictObject({ basis: z.literal('listing_price'), bps: Bps, credits_per_major_unit: z.number().int().min(0) }),
  cash_convertible: z.literal(false),
});

const DisputeSide = z.strictObject({
  disputed_amount: z.enum(['host_up_to_payout_then_platform', 'platform', 'none']),
  dispute_fee: z.enum(['host', 'platform', 'none']),
});
export const DisputeRulesSchema = z.strictObject({ lost: DisputeSide, won: DisputeSide });

export const PayoutHoldRulesSchema = z.strictObject({
  hold_when_subscription_status: z.array(z.string().min(1)).min(1),
  hold_when_no_subscription: z.boolean(),
  /** A host's NEW payout destination (a changed connected account) receives nothing for this long (issue #13). */
  new_account_hold_hours: z.number().int().min(0).max(8760).optional(),
});

/** Host subscriptions (issue #14): plans on offer, dunning, plan changes and cancellation, deferral. */
export const SubscriptionRulesSchema = z.strictObject({
  /** The prices a host may be on or move to; a price not listed is refused (`unknown_price`). */
  plans: z.array(z.strictObject({
    price: z.string().regex(/^price_[A-Za-z0-9_]+$/),
    label: z.string().min(1),
    currency: z.string().regex(/^[A-Z]{3}$/),
    amount_minor: z.number().int().min(0),
    interval: z.enum(['day', 'week', 'month', 'year']),
    interval_count: z.number().int().min(1),
  })).min(1),
  dunning: z.strictObject({
    /** Whole days of 24 h after the subscription fell past due before its consequences apply. */
    grace_days: z.number().int().min(0),
    /** What happens once the grace has passed. */
    on_grace_expired: z.enum(['hold_payouts', 'offset_from_next_payout']),
    /** Days past due after which the host's listings are announced unbookable; null: never. */
    unbookable_after_days: z.number().int().min(0).nullable(),
    /** What a payment of the overdue invoice releases. */
    payment_releases: z.literal('holds_and_listings'),
  }),
  plan_change: z.strictObject({
    proration_behavior: z.enum(['create_prorations', 'always_invoice', 'none']),
    /** The proration instant is the start of the UTC day, so a preview holds for the whole day. */
    proration_date: z.literal('start_of_utc_day'),
  }),
  cancellation: z.strictObject({
    at: z.enum(['period_end', 'immediately']),
    /** Only with at=immediately: the unused time is credited with a proration. */
    prorate: z.boolean(),
  }),
  /** Lines whose period is longer than this are deferred and recognised day by day. */
  defer_periods_longer_than: z.strictObject({ days: z.number().int().min(1) }),
});

/** Re-drive of outbound Stripe calls (issue #12): the schedule between rounds and what is terminal. */
export const RetryRulesSchema = z.strictObject({
  /** Wait before each further round, counted from the start of the round before (clock.tick time). */
  schedule_minutes: z.array(z.number().int().min(1).max(7 * 24 * 60)).min(1).max(32),
  /** Stripe keeps an idempotency key this long; a round later than this after the first asks Stripe what exists first. */
  idempotency_key_lifetime_minutes: z.number().int().min(1),
  /** Stripe error codes always tried again (besides no answer, 5xx, 429 and 409). */
  retryable_codes: z.array(z.string().min(1)),
  /** Stripe error codes that end the intent at once (besides any other 4xx). */
  terminal_codes: z.array(z.string().min(1)),
  /** How many times `money.retry_requested` may re-open one intent after a terminal failure. */
  max_reopens: z.number().int().min(0),
});

/** Booking changes after payment (issue #12): how a changed price moves money. */
export const ModificationRulesSchema = z.strictObject({
  /** A lower total: the difference goes back to the guest, split off the booking's held liabilities. */
  decrease: z.literal('refund_difference'),
  /** A higher total: a balance due, settled by a later payment of exactly that amount. */
  increase: z.literal('balance_due'),
  /** The new price is split by the booking's pinned fees policy: the host payout follows it. */
  split: z.literal('pinned_fees_policy'),
  /** Money-moving changes are allowed until this moment (inclusive of earlier instants only). */
  allowed_until: z.literal('check_in_moment'),
});

/** Which card disputes are contested with the evidence we hold (issue #12). */
export const DisputeEvidenceRulesSchema = z.strictObject({
  /** Stripe dispute reasons answered with evidence; any other reason is accepted (not contested). */
  contest_reasons: z.array(z.string().min(1)).min(1),
  /** Dispute statuses in which evidence may still be submitted. */
  respond_in_statuses: z.array(z.enum(['needs_response', 'warning_needs_response'])).min(1),
  /** Evidence is submitted once, at least this long before Stripe's evidence_details.due_by. */
  submit_before_due_by_hours: z.number().int().min(0),
});

function documentOf<K extends string, R extends z.ZodType>(kind: K, rules: R) {
  return z.strictObject({
    kind: z.literal(kind),
    id: PolicyId,
    version: z.number().int().min(1),
    title: z.string().min(1),
    source: Source,
    rules,
  });
}

export const CancellationDocumentSchema = documentOf('cancellation', CancellationRulesSchema);
export const HostCancellationDocumentSchema = documentOf('host_cancellation', HostCancellationRulesSchema);
export const FeesDocumentSchema = documentOf('fees', FeesRulesSchema);
export const PayoutTimingDocumentSchema = documentOf('payout_timing', PayoutTimingRulesSchema);
export const LoyaltyDocumentSchema = documentOf('loyalty', LoyaltyRulesSchema);
export const DisputeDocumentSchema = documentOf('dispute', DisputeRulesSchema);
export const PayoutHoldDocumentSchema = documentOf('payout_hold', PayoutHoldRulesSchema);
export const RetryDocumentSchema = documentOf('retry', RetryRulesSchema);
export const ModificationDocumentSchema = documentOf('modification', ModificationRulesSchema);
export const DisputeEvidenceDocumentSchema = documentOf('dispute_evidence', DisputeEvidenceRulesSchema);

export const SubscriptionDocumentSchema = documentOf('subscription', SubscriptionRulesSchema);

export const PolicyDocumentSchema = z.discriminatedUnion('kind', [
  CancellationDocumentSchema,
  HostCancellationDocumentSchema,
  FeesDocumentSchema,
  PayoutTimingDocumentSchema,
  LoyaltyDocumentSchema,
  DisputeDocumentSchema,
  PayoutHoldDocumentSchema,
  SubscriptionDocumentSchema,
  RetryDocumentSchema,
  ModificationDocumentSchema,
  DisputeEvidenceDocumentSchema,
]);

export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type PolicyKind = PolicyDocument['kind'];
export type DocumentOfKind<K extends PolicyKind> = Extract<PolicyDocument, { kind: K }>;
export type CancellationDocument = DocumentOfKind<'cancellation'>;
export type HostCancellationDocument = DocumentOfKind<'host_cancellation'>;
export type FeesDocument = DocumentOfKind<'fees'>;
export type PayoutTimingDocument = DocumentOfKind<'payout_timing'>;
export type LoyaltyDocument = DocumentOfKind<'loyalty'>;
export type DisputeDocument = DocumentOfKind<'dispute'>;
export type PayoutHoldDocument = DocumentOfKind<'payout_hold'>;
export type SubscriptionDocument = DocumentOfKind<'subscription'>;
export type RetryDocument = DocumentOfKind<'retry'>;

export const POLICY_KINDS = ['cancellation', 'host_cancellation', 'fees', 'payout_timing', 'loyalty', 'dispute', 'payout_hold', 'subscription', 'retry', 'modification', 'dispute_evidence'] as const;
