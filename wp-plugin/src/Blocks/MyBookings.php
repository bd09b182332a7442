<?php
/**
 * mybnb/my-bookings: the logged-in guest's bookings, newest first, a page at a time.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

use MyBnB\Payments\Access\Gate;

/**
 * The guest is the one the profile (or the `mybnb_guest_id_for_user` filter) names; nobody can ask
 * for another guest's list here. Pages follow ?mybnb_cursor= (the sidecar's opaque next_cursor).
 */
final class MyBookings extends Block {

	public function slug(): string {
		return 'my-bookings';
	}

	/**
	 * @param array<string,mixed> $attributes
	 */
	public function render( array $attributes ): string {
		$user_id = get_current_user_id();
		if ( 0 === $user_id ) {
			return $this->error_notice( Gate::unauthenticated() );
		}
		$guest_id = Gate::guest_id( $user_id );
		if ( '' === $guest_id ) {
			return $this->notice( __( 'Your account is not linked to MyBnB bookings yet.', 'mybnb-payments' ), 'forbidden' );
		}
		$per_page = isset( $attributes['perPage'] ) && is_numeric( $attributes['perPage'] ) ? max( 1, min( 50, (int) $attributes['perPage'] ) ) : 10;
		$cursor   = self::cursor();
		$page     = $this->client->guest_bookings( $guest_id, $cursor, $per_page );
		if ( is_wp_error( $page ) ) {
			return $this->error_notice( $page );
		}
		$details = isset( $attributes['detailsUrl'] ) && is_string( $attributes['detailsUrl'] ) ? $attributes['detailsUrl'] : '';
		return $this->wrap( $this->inner( $page, $details, $cursor ), array( 'guest-id' => $guest_id ) );
	}

	private static function cursor(): string {
		// phpcs:ignore WordPress.Security.NonceVerification -- read-only page selector.
		$cursor = isset( $_GET['mybnb_cursor'] ) && is_string( $_GET['mybnb_cursor'] ) ? sanitize_text_field( wp_unslash( $_GET['mybnb_cursor'] ) ) : '';
		return preg_match( '/^[A-Za-z0-9_-]{1,400}$/', $cursor ) ? $cursor : '';
	}

	/**
	 * @param array<string,mixed> $page
	 */
	private function inner( array $page, string $details, string $cursor ): string {
		$rows = '';
		foreach ( self::arr( $page, 'bookings' ) as $booking ) {
			if ( ! is_array( $booking ) ) {
				continue;
			}
			$id       = self::str( $booking, 'booking_id' );
			$tz       = self::str( $booking, 'time_zone' );
			$currency = self::str( $booking, 'currency' );
			$url      = '' !== $details ? str_replace( '{booking_id}', rawurlencode( $id ), $details ) : '';
			$name     = '' !== $url ? '<a href="' . esc_url( $url ) . '">' . esc_html( $id ) . '</a>' : esc_html( $id );
			$rows    .= '<tr class="mybnb-booking-row" data-booking-id="' . esc_attr( $id ) . '"><th scope="row">' . $name . '</th>'
				. '<td data-field="check_in">' . esc_html( self::local_date( self::str( $booking, 'check_in' ), '', $tz ) ) . '</td>'
				. '<td data-field="check_out">' . esc_html( self::local_date( self::str( $booking, 'check_out' ), '', $tz ) ) . '</td>'
				. '<td data-field="state">' . esc_html( Labels::state( self::str( $booking, 'state' ) ) ) . '</td>'
				. self::money_cell( $booking['total_minor'] ?? null, $currency, 'total_minor' )
				. self::money_cell( $booking['paid_minor'] ?? null, $currency, 'paid_minor' )
				. '</tr>';
		}
		if ( '' === $rows ) {
			$rows = '<tr><td colspan="6">' . esc_html__( 'You have no bookings yet.', 'mybnb-payments' ) . '</td></tr>';
		}
		$html = self::table(
			__( 'My bookings', 'mybnb-payments' ),
			array( __( 'Booking', 'mybnb-payments' ), __( 'Check-in', 'mybnb-payments' ), __( 'Check-out', 'mybnb-payments' ), __( 'State', 'mybnb-payments' ), __( 'Total', 'mybnb-payments' ), __( 'Paid', 'mybnb-payments' ) ),
			$rows,
			'',
			'mybnb-my-bookings-list'
		);
		$links = '';
		if ( '' !== $cursor ) {
			$links .= '<a class="mybnb-newest" href="' . esc_url( remove_query_arg( 'mybnb_cursor' ) ) . '">' . esc_html__( 'Newest bookings', 'mybnb-payments' ) . '</a> ';
		}
		$next = self::str( $page, 'next_cursor' );
		if ( '' !== $next ) {
			$links .= '<a class="mybnb-older" href="' . esc_url( add_query_arg( 'mybnb_cursor', rawurlencode( $next ) ) ) . '">' . esc_html__( 'Older bookings', 'mybnb-payments' ) . '</a>';
		}
		return $html . ( '' !== $links ? '<p class="mybnb-actions mybnb-pages">' . $links . '</p>' : '' );
	}
}
