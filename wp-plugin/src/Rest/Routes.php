<?php
/**
 * REST routes under mybnb/v1: GET only, each with a real permission_callback.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Rest;

use MyBnB\Payments\Access\Gate;
use MyBnB\Payments\Ids;
use MyBnB\Payments\Sidecar\Client;
use WP_Error;
use WP_REST_Request;
use WP_REST_Response;
use WP_REST_Server;

/**
 * Thin pass-through of the sidecar's reads, filtered by who is asking.
 */
final class Routes {

	public const NAMESPACE = 'mybnb/v1';

	public function __construct( private Client $client, private Gate $gate ) {}

	public function register(): void {
		$id = '(?P<id>' . Ids::ID_ROUTE . ')';
		$this->route( '/bookings/' . $id, 'booking', 'booking_permission' );
		$this->route( '/bookings/' . $id . '/receipt', 'receipt', 'booking_permission' );
		$this->route(
			'/bookings/' . $id . '/preview',
			'preview',
			'preview_permission',
			array(
				'by' => array(
					'type'    => 'string',
					'enum'    => array( 'guest', 'host' ),
					'default' => 'guest',
				),
			)
		);
		$this->route(
			'/hosts/' . $id . '/statement',
			'statement',
			'statement_permission',
			array(
				'from'   => array(
					'type'              => 'string',
					'required'          => true,
					'validate_callback' => array( self::class, 'validate_date' ),
				),
				'to'     => array(
					'type'              => 'string',
					'required'          => true,
					'validate_callback' => array( self::class, 'validate_date' ),
				),
				'format' => array(
					'type'    => 'string',
					'enum'    => array( 'json', 'csv' ),
					'default' => 'json',
				),
			)
		);
		$this->route( '/connection', 'connection', 'admin_permission' );
		$this->route(
			'/me/bookings',
			'my_bookings',
			'my_bookings_permission',
			array(
				'cursor' => array(
					'type'    => 'string',
					'pattern' => '^[A-Za-z0-9_-]{1,400}$',
				),
				'limit'  => array(
					'type'    => 'integer',
					'minimum' => 1,
					'maximum' => 50,
					'default' => 10,
				),
			)
		);
	}

	/** @return true|WP_Error */
	public function my_bookings_permission() {
		$user_id = get_current_user_id();
		if ( $user_id <= 0 ) {
			return Gate::unauthenticated();
		}
		return '' !== Gate::guest_id( $user_id ) ? true : Gate::forbidden();
	}

	/** The logged-in guest's own bookings; there is no parameter naming another guest. */
	public function my_bookings( WP_REST_Request $request ) {
		return self::respond( $this->client->guest_bookings( Gate::guest_id( get_current_user_id() ), (string) ( $request['cursor'] ?? '' ), (int) $request['limit'] ) );
	}

	/**
	 * @param array<string,mixed> $args
	 */
	private function route( string $path, string $callback, string $permission, array $args = array() ): void {
		register_rest_route(
			self::NAMESPACE,
			$path,
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( $this, $callback ),
				'permission_callback' => array( $this, $permission ),
				'args'                => $args,
			)
		);
	}

	/**
	 * @param mixed $value
	 */
	public static function validate_date( $value ): bool {
		return is_string( $value ) && Ids::is_date( $value );
	}

	/** @return true|WP_Error */
	public function booking_permission( WP_REST_Request $request ) {
		return $this->gate->can_view_booking( get_current_user_id(), (string) $request['id'], 'guest' );
	}

	/** @return true|WP_Error */
	public function preview_permission( WP_REST_Request $request ) {
		$by = 'host' === $request['by'] ? 'host' : 'guest';
		return $this->gate->can_view_booking( get_current_user_id(), (string) $request['id'], $by );
	}

	/** @return true|WP_Error */
	public function statement_permission( WP_REST_Request $request ) {
		return $this->gate->can_view_statement( get_current_user_id(), (string) $request['id'] );
	}

	/** @return true|WP_Error */
	public function admin_permission() {
		if ( ! is_user_logged_in() ) {
			return Gate::unauthenticated();
		}
		return current_user_can( 'manage_options' ) ? true : Gate::forbidden();
	}

	/** What a guest's own booking shows; fees and transfers are the host's and the platform's business. */
	private const GUEST_BOOKING_FIELDS = array( 'booking_id', 'listing_id', 'guest_id', 'host_id', 'state', 'currency', 'check_in', 'check_out', 'check_in_time', 'time_zone', 'rule', 'price_lines', 'total_minor', 'paid_minor', 'refunded_minor', 'next_step' );

	/** @return WP_REST_Response|WP_Error */
	public function booking( WP_REST_Request $request ) {
		$booking = $this->gate->booking( (string) $request['id'] );
		if ( is_array( $booking ) && ! Gate::is_admin( get_current_user_id() ) ) {
			$booking = array_intersect_key( $booking, array_flip( self::GUEST_BOOKING_FIELDS ) );
		}
		return self::respond( $booking );
	}

	/** @return WP_REST_Response|WP_Error */
	public function receipt( WP_REST_Request $request ) {
		return self::respond( $this->client->receipt( (string) $request['id'] ) );
	}

	/** What a guest's preview carries: the guest's own amounts, never the host's payout or penalty. */
	private const GUEST_OUTCOME_FIELDS = array( 'currency', 'refund_to_guest', 'credit_to_guest' );
	private const GUEST_OUTCOME_LINES  = array( 'nightly_refund', 'cleaning_refund', 'service_fee_refund', 'taxes_refund', 'nightly_kept', 'cleaning_kept', 'service_fee_kept' );

	/**
	 * A guest-side preview for a guest: the outcome reduced to the guest's fields, and without the
	 * sidecar's explanation (it speaks of the host's payout and the platform's fee).
	 *
	 * @param array<string,mixed> $preview
	 * @return array<string,mixed>
	 */
	public static function for_guest( array $preview ): array {
		$outcome = isset( $preview['outcome'] ) && is_array( $preview['outcome'] ) ? $preview['outcome'] : array();
		$lines   = isset( $outcome['lines'] ) && is_array( $outcome['lines'] ) ? $outcome['lines'] : array();
		$reduced = array_intersect_key( $outcome, array_flip( self::GUEST_OUTCOME_FIELDS ) );
		if ( array() !== $lines ) {
			$reduced['lines'] = array_intersect_key( $lines, array_flip( self::GUEST_OUTCOME_LINES ) );
		}
		$preview['outcome'] = $reduced;
		unset( $preview['explanation'], $preview['applied'] );
		return $preview;
	}

	/** @return WP_REST_Response|WP_Error */
	public function preview( WP_REST_Request $request ) {
		$by     = 'host' === $request['by'] ? 'host' : 'guest';
		$answer = $this->client->cancellation_preview( (string) $request['id'], $by );
		if ( is_array( $answer ) && 'guest' === $by && ! Gate::is_admin( get_current_user_id() ) ) {
			$answer = self::for_guest( $answer );
		}
		$result = self::respond( $answer );
		if ( $result instanceof WP_REST_Response ) {
			// A preview is a moment's answer: never let a cache replay it as consent.
			$result->header( 'Cache-Control', 'no-store' );
		}
		return $result;
	}

	/** @return WP_REST_Response|WP_Error */
	public function statement( WP_REST_Request $request ) {
		$host_id = (string) $request['id'];
		$from    = (string) $request['from'];
		$to      = (string) $request['to'];
		if ( 'csv' !== $request['format'] ) {
			return self::respond( $this->client->host_statement( $host_id, $from, $to ) );
		}
		$csv = $this->client->host_statement_csv( $host_id, $from, $to );
		if ( is_wp_error( $csv ) ) {
			return $csv;
		}
		$response = new WP_REST_Response( $csv, 200 );
		$response->header( 'Content-Type', 'text/csv; charset=utf-8' );
		$response->header( 'Content-Disposition', 'attachment; filename="statement-' . sanitize_file_name( $host_id . '-' . $from . '-' . $to ) . '.csv"' );
		$response->header( 'Cache-Control', 'private, no-store' );
		// WordPress would JSON-encode the string; serve the CSV bytes as they are.
		add_filter( 'rest_pre_serve_request', array( self::class, 'serve_csv' ), 10, 2 );
		return $response;
	}

	/**
	 * @param bool $served
	 * @param mixed $result
	 */
	public static function serve_csv( $served, $result ): bool {
		if ( $served || ! $result instanceof WP_REST_Response || ! is_string( $result->get_data() ) ) {
			return (bool) $served;
		}
		$type = $result->get_headers()['Content-Type'] ?? '';
		if ( ! str_starts_with( (string) $type, 'text/csv' ) ) {
			return (bool) $served;
		}
		echo $result->get_data(); // phpcs:ignore WordPress.Security.EscapeOutput -- CSV bytes, not HTML; sent as text/csv attachment.
		return true;
	}

	/** @return WP_REST_Response|WP_Error */
	public function connection() {
		return self::respond( $this->client->readyz() );
	}

	/**
	 * @param array<string,mixed>|WP_Error $answer
	 * @return WP_REST_Response|WP_Error
	 */
	private static function respond( $answer ) {
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$response = new WP_REST_Response( $answer, 200 );
		$response->header( 'Cache-Control', 'private, no-store' );
		return $response;
	}
}
