<?php
/**
 * POST /wp-json/mybnb/v1/outbound: the sidecar's outbound events, received ONLY to invalidate
 * this site's cached reads. Verifies the Standard Webhooks signature; writes nothing but
 * transients; never touches money or any other state.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Rest;

use WP_Error;
use WP_REST_Request;
use WP_REST_Response;
use WP_REST_Server;

/**
 * Register this site as an endpoint with `mybnb endpoints add https://<site>/wp-json/mybnb/v1/outbound --events '*'`
 * and put the printed whsec_ secret in wp-config.php: define( 'MYBNB_OUTBOUND_SECRET', 'whsec_…' );
 * (during a rotation, both secrets separated by a space).
 *
 * What a cache does with it: each booking, host and guest has a generation transient
 * (generation_key()); a cache that puts the generation in its own keys is invalidated when it
 * changes, and the action `mybnb_payments_invalidate` (kind, id) lets a cache drop entries itself.
 */
final class OutboundReceiver {

	public const ROUTE            = '/outbound';
	public const SECRET_CONSTANT  = 'MYBNB_OUTBOUND_SECRET';
	public const SECRET_OPTION    = 'mybnb_payments_outbound_secret';
	public const TOLERANCE_S      = 300;
	private const SEEN_TTL_S      = DAY_IN_SECONDS;
	private const GENERATION_TTL  = WEEK_IN_SECONDS;
	private const ID_PATTERN      = '/^[A-Za-z0-9_.:\-]{1,191}$/';

	/** @var callable():int */
	private $now;

	/**
	 * @param callable():int|null $now Unix seconds (tests inject it).
	 */
	public function __construct( ?callable $now = null ) {
		$this->now = $now ?? static fn (): int => time();
	}

	public function register(): void {
		register_rest_route(
			Routes::NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'receive' ),
				'permission_callback' => array( $this, 'verify' ),
			)
		);
	}

	/**
	 * The generation transient of a booking, host or guest: changes whenever an event about it arrives.
	 */
	public static function generation_key( string $kind, string $id ): string {
		return 'mybnb_gen_' . $kind . '_' . md5( $id );
	}

	public static function generation( string $kind, string $id ): string {
		$g = get_transient( self::generation_key( $kind, $id ) );
		return is_string( $g ) ? $g : '0';
	}

	/**
	 * The Standard Webhooks check: webhook-id, a fresh webhook-timestamp, and a v1 signature
	 * (HMAC-SHA256 of "id.timestamp.body", keyed by the base64 part of the whsec_ secret).
	 *
	 * @return true|WP_Error
	 */
	public function verify( WP_REST_Request $request ) {
		$secrets = $this->secrets();
		if ( array() === $secrets ) {
			return new WP_Error( 'not_configured', 'MYBNB_OUTBOUND_SECRET is not set: outbound events are not accepted.', array( 'status' => 503 ) );
		}
		$id        = (string) $request->get_header( 'webhook-id' );
		$timestamp = (string) $request->get_header( 'webhook-timestamp' );
		$signature = (string) $request->get_header( 'webhook-signature' );
		if ( '' === $id || '' === $timestamp || '' === $signature || ! ctype_digit( $timestamp ) ) {
			return self::refused( 'webhook-id, webhook-timestamp and webhook-signature are required' );
		}
		if ( abs( ( $this->now )() - (int) $timestamp ) > self::TOLERANCE_S ) {
			return self::refused( 'webhook-timestamp is outside the tolerance' );
		}
		$signed = $id . '.' . $timestamp . '.' . $request->get_body();
		foreach ( $secrets as $secret ) {
			$key = base64_decode( substr( $secret, strlen( 'whsec_' ) ), true );
			if ( false === $key || '' === $key ) {
				continue;
			}
			$expected = base64_encode( hash_hmac( 'sha256', $signed, $key, true ) );
			foreach ( explode( ' ', $signature ) as $versioned ) {
				$parts = explode( ',', $versioned, 2 );
				if ( 2 === count( $parts ) && 'v1' === $parts[0] && hash_equals( $expected, $parts[1] ) ) {
					return true;
				}
			}
		}
		return self::refused( 'no matching signature' );
	}

	/**
	 * A verified event: bump the generations it concerns. Duplicates (same webhook-id) do nothing.
	 */
	public function receive( WP_REST_Request $request ): WP_REST_Response {
		$event = json_decode( $request->get_body(), true );
		if ( ! is_array( $event ) ) {
			return new WP_REST_Response( array( 'code' => 'invalid_json' ), 400 );
		}
		$seen = 'mybnb_seen_' . md5( (string) $request->get_header( 'webhook-id' ) );
		if ( false !== get_transient( $seen ) ) {
			return new WP_REST_Response( array( 'result' => 'duplicate' ), 200 );
		}
		$data    = is_array( $event['data'] ?? null ) ? $event['data'] : array();
		$targets = array(
			'booking' => $event['booking_id'] ?? null,
			'host'    => $event['host_id'] ?? ( $data['host_id'] ?? null ),
			'guest'   => $data['guest_id'] ?? null,
		);
		$invalidated = array();
		foreach ( $targets as $kind => $id ) {
			if ( ! is_string( $id ) || 1 !== preg_match( self::ID_PATTERN, $id ) ) {
				continue;
			}
			set_transient( self::generation_key( $kind, $id ), wp_generate_uuid4(), self::GENERATION_TTL );
			do_action( 'mybnb_payments_invalidate', $kind, $id );
			$invalidated[] = $kind;
		}
		set_transient( $seen, 1, self::SEEN_TTL_S );
		return new WP_REST_Response( array( 'result' => 'invalidated', 'invalidated' => $invalidated ), 200 );
	}

	/**
	 * @return string[]
	 */
	private function secrets(): array {
		$raw = defined( self::SECRET_CONSTANT ) ? (string) constant( self::SECRET_CONSTANT ) : (string) get_option( self::SECRET_OPTION, '' );
		return array_values( array_filter( preg_split( '/[\s,]+/', trim( $raw ) ) ?: array(), static fn ( string $s ): bool => str_starts_with( $s, 'whsec_' ) ) );
	}

	private static function refused( string $why ): WP_Error {
		return new WP_Error( 'signature_invalid', $why, array( 'status' => 401 ) );
	}
}
