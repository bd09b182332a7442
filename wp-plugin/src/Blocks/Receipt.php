<?php
/**
 * mybnb/receipt: the guest's receipt, printable.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

/**
 * Charges, refunds and credits of one booking, with the net paid.
 */
final class Receipt extends Block {

	public function slug(): string {
		return 'receipt';
	}

	/**
	 * @param array<string,mixed> $attributes
	 */
	public function render( array $attributes ): string {
		$booking_id = self::booking_id( $attributes );
		if ( '' === $booking_id ) {
			return $this->notice( __( 'Choose a booking in the block settings, or open this page with ?booking_id=…', 'mybnb-payments' ) );
		}
		$this->prefetch_for( 'guest', array( array( '/bookings/' . rawurlencode( $booking_id ) ), array( '/bookings/' . rawurlencode( $booking_id ) . '/receipt' ) ) );
		$allowed = $this->gate->can_view_booking( get_current_user_id(), $booking_id, 'guest' );
		if ( is_wp_error( $allowed ) ) {
			return $this->error_notice( $allowed );
		}
		$receipt = $this->client->receipt( $booking_id );
		if ( is_wp_error( $receipt ) ) {
			return $this->error_notice( $receipt );
		}
		return $this->wrap(
			$this->inner( $receipt, $booking_id ),
			array(
				'booking-id' => $booking_id,
				'rest-path'  => '/mybnb/v1/bookings/' . rawurlencode( $booking_id ) . '/receipt',
			)
		);
	}

	/**
	 * @param array<string,mixed> $receipt
	 */
	private function inner( array $receipt, string $booking_id ): string {
		$currency = self::str( $receipt, 'currency' );
		/* translators: %s: booking id */
		$html = '<h3 class="mybnb-title">' . esc_html( sprintf( __( 'Receipt for booking %s', 'mybnb-payments' ), $booking_id ) ) . '</h3>';
		$rows = '';
		foreach ( self::arr( $receipt, 'lines' ) as $line ) {
			if ( ! is_array( $line ) ) {
				continue;
			}
			$kind = self::str( $line, 'kind' );
			// Loyalty credits are a non-cash unit: a count, never money.
			$cell  = 'credit' === $kind || 'CREDIT' === self::str( $line, 'unit' ) ? self::credits_cell( $line['amount_minor'] ?? null, 'credit_line' ) : self::money_cell( $line['amount_minor'] ?? null, $currency );
			$rows .= '<tr class="mybnb-kind-' . esc_attr( $kind ) . '"><th scope="row">' . esc_html( self::str( $line, 'label' ) ) . '</th>'
				. '<td>' . esc_html( Labels::kind( $kind ) ) . '</td>'
				. $cell . '</tr>';
		}
		$foot = '';
		foreach (
			array(
				'paid_minor'     => __( 'Paid', 'mybnb-payments' ),
				'refunded_minor' => __( 'Refunded', 'mybnb-payments' ),
				'net_paid_minor' => __( 'Net paid', 'mybnb-payments' ),
			) as $field => $label
		) {
			$foot .= '<tr><th scope="row" colspan="2">' . esc_html( $label ) . '</th>' . self::money_cell( $receipt[ $field ] ?? null, $currency, $field ) . '</tr>';
		}
		$html .= self::table( __( 'Receipt', 'mybnb-payments' ), array( __( 'Item', 'mybnb-payments' ), __( 'Type', 'mybnb-payments' ), __( 'Amount', 'mybnb-payments' ) ), $rows, $foot, 'mybnb-receipt-lines' );
		$html .= self::credits( $receipt['credits_granted'] ?? null );
		$html .= '<p class="mybnb-actions mybnb-no-print"><button type="button" class="wp-element-button mybnb-print" hidden>' . esc_html__( 'Print receipt', 'mybnb-payments' ) . '</button></p>';
		return $html;
	}

	/**
	 * Credits granted: a count of credit units, or a list of grants; shown only when there are some.
	 *
	 * @param mixed $credits
	 */
	private static function credits( $credits ): string {
		$total = 0;
		if ( is_int( $credits ) ) {
			$total = $credits;
		} elseif ( is_array( $credits ) ) {
			foreach ( $credits as $grant ) {
				$total += is_array( $grant ) && isset( $grant['amount_minor'] ) && is_int( $grant['amount_minor'] ) ? $grant['amount_minor'] : ( is_int( $grant ) ? $grant : 0 );
			}
		}
		if ( $total <= 0 ) {
			return '';
		}
		/* translators: %s: number of travel credits */
		return '<p class="mybnb-credits" data-field="credits_granted" data-amount-minor="' . esc_attr( (string) $total ) . '">' . esc_html( sprintf( __( 'Travel credits granted: %s', 'mybnb-payments' ), number_format_i18n( $total ) ) ) . '</p>';
	}
}
