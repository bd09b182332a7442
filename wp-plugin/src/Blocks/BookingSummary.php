<?php
/**
 * mybnb/booking-summary: state, dates, price lines, paid, refunded.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

/**
 * The guest's view of one booking.
 */
final class BookingSummary extends Block {

	public function slug(): string {
		return 'booking-summary';
	}

	/**
	 * @param array<string,mixed> $attributes
	 */
	public function render( array $attributes ): string {
		$booking_id = self::booking_id( $attributes );
		if ( '' === $booking_id ) {
			return $this->notice( __( 'Choose a booking in the block settings, or open this page with ?booking_id=…', 'mybnb-payments' ) );
		}
		$allowed = $this->gate->can_view_booking( get_current_user_id(), $booking_id, 'guest' );
		if ( is_wp_error( $allowed ) ) {
			return $this->error_notice( $allowed );
		}
		$booking = $this->gate->booking( $booking_id );
		if ( is_wp_error( $booking ) ) {
			return $this->error_notice( $booking );
		}
		return $this->wrap(
			$this->inner( $booking ),
			array(
				'booking-id' => $booking_id,
				'rest-path'  => '/mybnb/v1/bookings/' . rawurlencode( $booking_id ),
			)
		);
	}

	/**
	 * @param array<string,mixed> $booking
	 */
	private function inner( array $booking ): string {
		$currency = self::str( $booking, 'currency' );
		/* translators: %s: booking id */
		$html  = '<h3 class="mybnb-title">' . esc_html( sprintf( __( 'Booking %s', 'mybnb-payments' ), self::str( $booking, 'booking_id' ) ) ) . '</h3>';
		$html .= '<dl class="mybnb-facts">';
		$html .= self::fact( __( 'State', 'mybnb-payments' ), self::state_label( self::str( $booking, 'state' ) ), 'state' );
		$check_in = self::str( $booking, 'check_in' ) . ( '' !== self::str( $booking, 'check_in_time' ) ? ' ' . self::str( $booking, 'check_in_time' ) : '' );
		$html    .= self::fact( __( 'Check-in', 'mybnb-payments' ), trim( $check_in . ' ' . self::str( $booking, 'time_zone' ) ), 'check_in' );
		$html    .= self::fact( __( 'Check-out', 'mybnb-payments' ), self::str( $booking, 'check_out' ), 'check_out' );
		$rule     = self::arr( $booking, 'rule' );
		if ( array() !== $rule ) {
			/* translators: 1: policy id, 2: policy version */
			$html .= self::fact( __( 'Cancellation policy', 'mybnb-payments' ), sprintf( __( '%1$s (version %2$s)', 'mybnb-payments' ), self::str( $rule, 'policy' ), self::str( $rule, 'version' ) ), 'policy' );
		}
		$html .= '</dl>';

		$rows = '';
		foreach ( self::arr( $booking, 'price_lines' ) as $line ) {
			if ( ! is_array( $line ) ) {
				continue;
			}
			$label = '' !== self::str( $line, 'label' ) ? self::str( $line, 'label' ) : self::str( $line, 'code' );
			$rows .= '<tr><th scope="row">' . esc_html( $label ) . '</th>' . self::money_cell( $line['amount_minor'] ?? null, $currency, self::str( $line, 'code' ) ) . '</tr>';
		}
		$foot  = '<tr><th scope="row">' . esc_html__( 'Total', 'mybnb-payments' ) . '</th>' . self::money_cell( $booking['total_minor'] ?? null, $currency, 'total_minor' ) . '</tr>';
		$foot .= '<tr><th scope="row">' . esc_html__( 'Paid', 'mybnb-payments' ) . '</th>' . self::money_cell( $booking['paid_minor'] ?? null, $currency, 'paid_minor' ) . '</tr>';
		$foot .= '<tr><th scope="row">' . esc_html__( 'Refunded', 'mybnb-payments' ) . '</th>' . self::money_cell( $booking['refunded_minor'] ?? null, $currency, 'refunded_minor' ) . '</tr>';
		$html .= self::table( __( 'Price', 'mybnb-payments' ), array( __( 'Item', 'mybnb-payments' ), __( 'Amount', 'mybnb-payments' ) ), $rows, $foot, 'mybnb-price' );

		$next = self::arr( $booking, 'next_step' );
		if ( '' !== self::str( $next, 'action' ) ) {
			$step = self::step_label( self::str( $next, 'action' ) );
			$due  = self::str( $next, 'due_at' );
			/* translators: 1: next step, e.g. "Host payout", 2: date and time */
			$text  = '' !== $due ? sprintf( __( 'Next: %1$s on %2$s', 'mybnb-payments' ), $step, self::datetime( $due ) ) : sprintf( __( 'Next: %s', 'mybnb-payments' ), $step );
			$html .= '<p class="mybnb-next" data-field="next_step">' . esc_html( $text ) . '</p>';
		}
		return $html;
	}

	private static function fact( string $term, string $value, string $field ): string {
		return '<div><dt>' . esc_html( $term ) . '</dt><dd data-field="' . esc_attr( $field ) . '">' . esc_html( $value ) . '</dd></div>';
	}

	/**
	 * Human names for the sidecar's next steps (flows/read-models/booking-view.ts); unknown ones as they come.
	 */
	private static function step_label( string $action ): string {
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

	/**
	 * Human names for the booking's money states; unknown states show as they come.
	 */
	private static function state_label( string $state ): string {
		// The sidecar's booking money states (flows/booking/state-machine.ts).
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
}
