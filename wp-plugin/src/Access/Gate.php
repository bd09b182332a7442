<?php
/**
 * Who may see what. Used by the REST routes and by the blocks, so both enforce the same rules.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Access;

use MyBnB\Payments\Ids;
use MyBnB\Payments\Sidecar\Client;
use WP_Error;

/**
 * Rules: a guest (user meta `mybnb_guest_id`) sees only their own bookings, previews and receipts;
 * a host (`mybnb_host_id`) only their own statements (and host-side previews of their bookings);
 * users with `manage_options` see any. Everyone else: 401 when logged out, 403 otherwise, no data.
 */
final class Gate {

	public const GUEST_META = 'mybnb_guest_id';
	public const HOST_META  = 'mybnb_host_id';

	/** @var array<string, array<string,mixed>|WP_Error> bookings fetched for a check, per request */
	private array $bookings = array();

	public function __construct( private Client $client ) {}

	/**
	 * Drops the bookings remembered for this request (tests, long-running processes).
	 */
	public function forget(): void {
		$this->bookings = array();
		$this->client->cache->forget();
	}

	/**
	 * The MyBnB guest id of a WordPress user: the profile field (user meta), which a booking plugin
	 * may supply or override with the filter `mybnb_guest_id_for_user` ( $guest_id, $user_id ).
	 * Anything that is not a valid id counts as none.
	 */
	public static function guest_id( int $user_id ): string {
		return self::id_for( $user_id, self::GUEST_META, 'mybnb_guest_id_for_user' );
	}

	/**
	 * The MyBnB host id of a WordPress user (filter `mybnb_host_id_for_user`), as guest_id().
	 */
	public static function host_id( int $user_id ): string {
		return self::id_for( $user_id, self::HOST_META, 'mybnb_host_id_for_user' );
	}

	private static function id_for( int $user_id, string $meta, string $filter ): string {
		if ( $user_id <= 0 ) {
			return '';
		}
		$id = apply_filters( $filter, (string) get_user_meta( $user_id, $meta, true ), $user_id );
		return is_string( $id ) && Ids::is_id( $id ) ? $id : '';
	}

	public static function is_admin( int $user_id ): bool {
		return $user_id > 0 && user_can( $user_id, 'manage_options' );
	}

	/**
	 * May this user see the booking (summary, receipt, or the preview for side `$by`)?
	 *
	 * @param string $by 'guest' (the guest's own view) or 'host' (host-side preview).
	 * @return true|WP_Error
	 */
	public function can_view_booking( int $user_id, string $booking_id, string $by = 'guest' ) {
		if ( $user_id <= 0 ) {
			return self::unauthenticated();
		}
		if ( self::is_admin( $user_id ) ) {
			return true;
		}
		$own_id = 'host' === $by ? self::host_id( $user_id ) : self::guest_id( $user_id );
		if ( '' === $own_id ) {
			return self::forbidden();
		}
		$booking = $this->booking( $booking_id );
		if ( is_wp_error( $booking ) ) {
			// Say nothing about bookings that are not yours, including whether they exist; but an
			// outage is not the user's fault and says nothing about the booking.
			$status = (int) ( $booking->get_error_data()['status'] ?? 500 );
			return $status >= 500 ? $booking : self::forbidden();
		}
		$field = 'host' === $by ? 'host_id' : 'guest_id';
		$owner = isset( $booking[ $field ] ) ? (string) $booking[ $field ] : '';
		return ( '' !== $owner && hash_equals( $owner, $own_id ) ) ? true : self::forbidden();
	}

	/**
	 * May this user see the host's statements?
	 *
	 * @return true|WP_Error
	 */
	public function can_view_statement( int $user_id, string $host_id ) {
		if ( $user_id <= 0 ) {
			return self::unauthenticated();
		}
		if ( self::is_admin( $user_id ) ) {
			return true;
		}
		$own = self::host_id( $user_id );
		return ( '' !== $own && '' !== $host_id && hash_equals( $own, $host_id ) ) ? true : self::forbidden();
	}

	/**
	 * The booking as the check saw it (fetched once per request).
	 *
	 * @return array<string,mixed>|WP_Error
	 */
	public function booking( string $booking_id ) {
		if ( ! array_key_exists( $booking_id, $this->bookings ) ) {
			$this->bookings[ $booking_id ] = $this->client->booking( $booking_id );
		}
		return $this->bookings[ $booking_id ];
	}

	public static function unauthenticated(): WP_Error {
		return new WP_Error( 'mybnb_unauthenticated', __( 'Please log in to see this.', 'mybnb-payments' ), array( 'status' => 401 ) );
	}

	public static function forbidden(): WP_Error {
		return new WP_Error( 'mybnb_forbidden', __( 'You are not allowed to see this.', 'mybnb-payments' ), array( 'status' => 403 ) );
	}
}
