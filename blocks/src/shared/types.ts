/**
 * The sidecar's read shapes as the plugin's REST routes pass them on (amounts: integer minor units).
 * Every field is optional on purpose: views render defensively whatever arrives.
 */
export type Rule = { policy?: string; version?: number; hash?: string };

export type Outcome = {
	currency?: string;
	refund_to_guest?: number;
	credit_to_guest?: number;
	host_payout?: number;
	platform_fee_kept?: number;
	taxes_kept?: number;
	host_penalty?: number;
	host_recovery?: number;
};

export type CancellationPreview = {
	allowed?: boolean;
	reason?: string;
	rule?: Rule;
	outcome?: Outcome;
	valid_until?: string | null;
	explanation?: string[];
	outcome_hash?: string;
	evaluated_at?: string;
};

export type PriceLine = { code?: string; label?: string; amount_minor?: number };

export type Booking = {
	booking_id?: string;
	state?: string;
	currency?: string;
	check_in?: string;
	check_out?: string;
	price_lines?: PriceLine[];
	total_minor?: number;
	paid_minor?: number;
	refunded_minor?: number;
};

export type ReceiptLine = { label?: string; amount_minor?: number; kind?: 'charge' | 'refund' | 'credit' };

export type Receipt = {
	booking_id?: string;
	currency?: string;
	lines?: ReceiptLine[];
	paid_minor?: number;
	refunded_minor?: number;
	net_paid_minor?: number;
};

export type StatementRow = {
	booking_id?: string;
	currency?: string;
	gross_minor?: number;
	host_fee_minor?: number;
	refunds_minor?: number;
	reversals_minor?: number;
	penalties_minor?: number;
	transfers_minor?: number;
	net_minor?: number;
};

export type Statement = {
	host_id?: string;
	from?: string;
	to?: string;
	bookings?: StatementRow[];
	totals?: StatementRow[];
};
