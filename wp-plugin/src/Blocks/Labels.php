<?php
/**
 * Words for the sidecar's stable codes, in the site's language.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

/**
 * The sidecar speaks in codes (states, next steps, refusal reasons); people read these. An unknown
 * code shows as it comes, escaped, so a newer sidecar never breaks a page.
 */
final class Labels {

	/** The booking's money states (sidecar flows/booking/state-machine.ts). */
	public static function state( string $state ): string {
		$labels = array(
			'awaiting_payment' => __( 'Awaiting payment', 'mybnb-payments' ),
			'paid'             => __( 'Paid', 'mybnb-payments' ),
			'checked_in'       => __( 'Checked in', 'mybnb-payments' ),
			'payout_pending'   => __( 'Host payout in progress', 'mybnb-payments' ),
			'paid_out'         => __( 'Host paid out', 'mybnb-payments' ),
			'completed'        => __( 'Completed', 'mybnb-payments' ),
			'cancelled'        => __( 'Cancelled', 'mybnb-payments' ),
			'refund_pending'   => __( 'Cancelled, refund in progress', 'mybnb-payments' ),
			'refunded'         => __( 'Cancelled and refunded', 'mybnb-payments' ),
			'refund_failed'    => __( 'Cancelled, refund failed', 'mybnb-payments' ),
		);
		return $labels[ $state ] ?? $state;
	}

	/** Next steps (sidecar flows/read-models/booking-view.ts). */
	public static function step( string $action ): string {
		$labels = array(
			'guest_payment'         => __( 'Guest payment', 'mybnb-payments' ),
			'host_payout'           => __( 'Host payout', 'mybnb-payments' ),
			'transfer_confirmation' => __( 'Payout confirmation', 'mybnb-payments' ),
			'stay_completion'       => __( 'End of stay', 'mybnb-payments' ),
			'refund_confirmation'   => __( 'Refund confirmation', 'mybnb-payments' ),
			'refund_failed'         => __( 'Refund needs attention', 'mybnb-payments' ),
		);
		return $labels[ $action ] ?? $action;
	}

	/** Why a cancellation is refused (sidecar nora/cancellation.ts CANCEL_REFUSALS). */
	public static function refusal( string $reason ): string {
		$labels = array(
			'booking_cancelled' => __( 'the booking is already cancelled', 'mybnb-payments' ),
			'stay_completed'    => __( 'the stay is completed', 'mybnb-payments' ),
			'checked_out'       => __( 'the check-out moment has passed', 'mybnb-payments' ),
			'payment_mismatch'  => __( 'the amount paid differs from the booking total; the payment must be settled first', 'mybnb-payments' ),
		);
		return $labels[ $reason ] ?? ( '' !== $reason ? $reason : __( 'not allowed', 'mybnb-payments' ) );
	}

	/** Receipt line kinds. */
	public static function kind( string $kind ): string {
		$labels = array(
			'charge' => __( 'Charge', 'mybnb-payments' ),
			'refund' => __( 'Refund', 'mybnb-payments' ),
			'credit' => __( 'Credit', 'mybnb-payments' ),
		);
		return $labels[ $kind ] ?? $kind;
	}

	/** Price line codes (sidecar booking-view priceLines); the sidecar's English label otherwise. */
	public static function price_line( string $code, string $fallback ): string {
		$labels = array(
			'nightly_total'     => __( 'Nights', 'mybnb-payments' ),
			'cleaning_fee'      => __( 'Cleaning fee', 'mybnb-payments' ),
			'guest_service_fee' => __( 'Guest service fee', 'mybnb-payments' ),
			'taxes'             => __( 'Taxes', 'mybnb-payments' ),
		);
		return $labels[ $code ] ?? ( '' !== $fallback ? $fallback : $code );
	}
}
