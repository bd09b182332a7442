<?php
/**
 * mybnb/payout-statement: the logged-in host's statement for a chosen period, with a CSV download.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

use MyBnB\Payments\Access\Gate;
use MyBnB\Payments\Ids;

/**
 * The period comes from ?mybnb_from=&mybnb_to= (a plain GET form, so it works without JavaScript),
 * defaulting to the current month in the site's time zone.
 */
final class PayoutStatement extends Block {

	private const COLUMNS = array( 'gross_minor', 'host_fee_minor', 'refunds_minor', 'reversals_minor', 'penalties_minor', 'transfers_minor', 'net_minor' );

	public function slug(): string {
		return 'payout-statement';
	}

	/**
	 * @param array<string,mixed> $attributes
	 */
	public function render( array $attributes ): string {
		$user_id = get_current_user_id();
		$host_id = Gate::host_id( $user_id );
		// An admin may pin a host in the block (e.g. an internal page); hosts always see their own.
		$pinned = isset( $attributes['hostId'] ) && is_string( $attributes['hostId'] ) ? trim( $attributes['hostId'] ) : '';
		if ( '' !== $pinned && Gate::is_admin( $user_id ) && Ids::is_id( $pinned ) ) {
			$host_id = $pinned;
		}
		if ( 0 === $user_id ) {
			return $this->error_notice( Gate::unauthenticated() );
		}
		if ( '' === $host_id ) {
			return $this->notice( __( 'Statements are shown to hosts only.', 'mybnb-payments' ), 'forbidden' );
		}
		$allowed = $this->gate->can_view_statement( $user_id, $host_id );
		if ( is_wp_error( $allowed ) ) {
			return $this->error_notice( $allowed );
		}
		list( $from, $to ) = self::period();
		$statement         = $this->client->host_statement( $host_id, $from, $to );
		$inner             = $this->form( $from, $to );
		if ( is_wp_error( $statement ) ) {
			return $this->error_notice( $statement );
		}
		$inner .= $this->tables( $statement );
		$inner .= $this->csv_link( $host_id, $from, $to );
		return $this->wrap(
			$inner,
			array(
				'host-id'   => $host_id,
				'from'      => $from,
				'to'        => $to,
				'rest-path' => '/mybnb/v1/hosts/' . rawurlencode( $host_id ) . '/statement',
			)
		);
	}

	/**
	 * @return array{0:string,1:string}
	 */
	private static function period(): array {
		list( $from, $to ) = Ids::this_month();
		// phpcs:disable WordPress.Security.NonceVerification -- read-only period selector.
		$asked_from = isset( $_GET['mybnb_from'] ) && is_string( $_GET['mybnb_from'] ) ? sanitize_text_field( wp_unslash( $_GET['mybnb_from'] ) ) : '';
		$asked_to   = isset( $_GET['mybnb_to'] ) && is_string( $_GET['mybnb_to'] ) ? sanitize_text_field( wp_unslash( $_GET['mybnb_to'] ) ) : '';
		// phpcs:enable
		if ( Ids::is_date( $asked_from ) && Ids::is_date( $asked_to ) && $asked_from <= $asked_to ) {
			return array( $asked_from, $asked_to );
		}
		return array( $from, $to );
	}

	private function form( string $from, string $to ): string {
		return '<form class="mybnb-period" method="get">'
			. '<label>' . esc_html__( 'From', 'mybnb-payments' ) . ' <input type="date" name="mybnb_from" value="' . esc_attr( $from ) . '" required></label> '
			. '<label>' . esc_html__( 'To', 'mybnb-payments' ) . ' <input type="date" name="mybnb_to" value="' . esc_attr( $to ) . '" required></label> '
			. '<button type="submit" class="wp-element-button">' . esc_html__( 'Show', 'mybnb-payments' ) . '</button></form>';
	}

	/**
	 * @return string[] column headers, in COLUMNS order after the first.
	 */
	private static function headers( string $first ): array {
		return array(
			$first,
			__( 'Gross', 'mybnb-payments' ),
			__( 'Host fee', 'mybnb-payments' ),
			__( 'Refunds', 'mybnb-payments' ),
			__( 'Reversals', 'mybnb-payments' ),
			__( 'Penalties', 'mybnb-payments' ),
			__( 'Transfers', 'mybnb-payments' ),
			__( 'Net', 'mybnb-payments' ),
		);
	}

	/**
	 * @param array<string,mixed> $row
	 */
	private static function row( string $head, array $row, string $class ): string {
		$currency = self::str( $row, 'currency' );
		$cells    = '<tr class="' . esc_attr( $class ) . '" data-currency="' . esc_attr( $currency ) . '"><th scope="row">' . esc_html( $head ) . '</th>';
		foreach ( self::COLUMNS as $column ) {
			$cells .= self::money_cell( $row[ $column ] ?? null, $currency, $column );
		}
		return $cells . '</tr>';
	}

	/**
	 * @param array<string,mixed> $statement
	 */
	private function tables( array $statement ): string {
		$rows = '';
		foreach ( self::arr( $statement, 'bookings' ) as $booking ) {
			$rows .= is_array( $booking ) ? self::row( self::str( $booking, 'booking_id' ), $booking, 'mybnb-booking-row' ) : '';
		}
		if ( '' === $rows ) {
			$rows = '<tr><td colspan="8">' . esc_html__( 'No bookings in this period.', 'mybnb-payments' ) . '</td></tr>';
		}
		$totals = '';
		foreach ( self::arr( $statement, 'totals' ) as $total ) {
			/* translators: %s: currency code */
			$totals .= is_array( $total ) ? self::row( sprintf( __( 'Total %s', 'mybnb-payments' ), self::str( $total, 'currency' ) ), $total, 'mybnb-total-row' ) : '';
		}
		/* translators: 1: start date, 2: end date */
		$caption = sprintf( __( 'Payout statement %1$s to %2$s', 'mybnb-payments' ), self::str( $statement, 'from' ), self::str( $statement, 'to' ) );
		return self::table( $caption, self::headers( __( 'Booking', 'mybnb-payments' ) ), $rows, $totals, 'mybnb-statement' );
	}

	private function csv_link( string $host_id, string $from, string $to ): string {
		$url = add_query_arg(
			array(
				'from'     => $from,
				'to'       => $to,
				'format'   => 'csv',
				'_wpnonce' => wp_create_nonce( 'wp_rest' ),
			),
			rest_url( 'mybnb/v1/hosts/' . rawurlencode( $host_id ) . '/statement' )
		);
		return '<p class="mybnb-actions"><a class="mybnb-csv" href="' . esc_url( $url ) . '" download>' . esc_html__( 'Download CSV', 'mybnb-payments' ) . '</a></p>';
	}
}
