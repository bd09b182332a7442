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
		$html .= self::fact( __( 'State', 'mybnb-payments' ), Labels::state( self::str( $booking, 'state' ) ), 'state' );
		$tz    = self::str( $booking, 'time_zone' );
		// Dates of a stay are the listing's local dates: shown in the booking's time zone, named.
		$html .= self::fact( __( 'Check-in', 'mybnb-payments' ), trim( self::local_date( self::str( $booking, 'check_in' ), self::str( $booking, 'check_in_time' ), $tz ) . ( '' !== $tz ? ' (' . $tz . ')' : '' ) ), 'check_in' );
		$html .= self::fact( __( 'Check-out', 'mybnb-payments' ), self::local_date( self::str( $booking, 'check_out' ), '', $tz ), 'check_out' );
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
			$label = Labels::price_line( self::str( $line, 'code' ), self::str( $line, 'label' ) );
			$rows .= '<tr><th scope="row">' . esc_html( $label ) . '</th>' . self::money_cell( $line['amount_minor'] ?? null, $currency, self::str( $line, 'code' ) ) . '</tr>';
		}
		$foot  = '<tr><th scope="row">' . esc_html__( 'Total', 'mybnb-payments' ) . '</th>' . self::money_cell( $booking['total_minor'] ?? null, $currency, 'total_minor' ) . '</tr>';
		$foot .= '<tr><th scope="row">' . esc_html__( 'Paid', 'mybnb-payments' ) . '</th>' . self::money_cell( $booking['paid_minor'] ?? null, $currency, 'paid_minor' ) . '</tr>';
		$foot .= '<tr><th scope="row">' . esc_html__( 'Refunded', 'mybnb-payments' ) . '</th>' . self::money_cell( $booking['refunded_minor'] ?? null, $currency, 'refunded_minor' ) . '</tr>';
		$html .= self::table( __( 'Price', 'mybnb-payments' ), array( __( 'Item', 'mybnb-payments' ), __( 'Amount', 'mybnb-payments' ) ), $rows, $foot, 'mybnb-price' );

		$next = self::arr( $booking, 'next_step' );
		if ( '' !== self::str( $next, 'action' ) ) {
			$step = Labels::step( self::str( $next, 'action' ) );
			$due  = self::str( $next, 'due_at' );
			/* translators: 1: next step, e.g. "Host payout", 2: date and time */
			$text  = '' !== $due ? sprintf( __( 'Next: %1$s on %2$s', 'mybnb-payments' ), $step, self::datetime( $due, $tz ) ) : sprintf( __( 'Next: %s', 'mybnb-payments' ), $step );
			$html .= '<p class="mybnb-next" data-field="next_step">' . esc_html( $text ) . '</p>';
		}
		return $html;
	}

	private static function fact( string $term, string $value, string $field ): string {
		return '<div><dt>' . esc_html( $term ) . '</dt><dd data-field="' . esc_attr( $field ) . '">' . esc_html( $value ) . '</dd></div>';
	}
}
