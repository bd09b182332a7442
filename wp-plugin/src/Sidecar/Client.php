<?php
/**
 * Read-only, signed HTTP client for the MyBnB Payments sidecar.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Sidecar;

use MyBnB\Payments\Settings;
use WP_Error;

/**
 * Every request is a signed GET with an empty body. There is deliberately no method that takes
 * another HTTP verb or a body: WordPress renders, it never writes money.
 */
final class Client {

	private const DEFAULT_TIMEOUT_S = 5;

	/** @var callable(string, array<string,mixed>): (array<string,mixed>|WP_Error) */
	private $transport;

	/** @var callable(): int */
	private $clock;

	/**
	 * @param Settings      $settings  Where URL, key id and secret come from.
	 * @param callable|null $transport fn(string $url, array $args): array|WP_Error, shaped like wp_remote_get().
	 * @param callable|null $clock     fn(): int unix seconds (tests pin it).
	 */
	public function __construct( private Settings $settings, ?callable $transport = null, ?callable $clock = null ) {
		$this->transport = $transport ?? static fn ( string $url, array $args ) => wp_remote_get( $url, $args );
		$this->clock     = $clock ?? static fn (): int => time();
	}

	/**
	 * What would happen if the booking were cancelled now by `$by` ('guest' or 'host').
	 *
	 * @return array<string,mixed>|WP_Error
	 */
	public function cancellation_preview( string $booking_id, string $by ) {
		return $this->get_json( '/preview/outcome', array( 'action' => 'cancel', 'booking_id' => $booking_id, 'by' => $by ) );
	}

	/**
	 * @return array<string,mixed>|WP_Error
	 */
	public function booking( string $booking_id ) {
		return $this->get_json( '/bookings/' . rawurlencode( $booking_id ) );
	}

	/**
	 * @return array<string,mixed>|WP_Error
	 */
	public function receipt( string $booking_id ) {
		return $this->get_json( '/bookings/' . rawurlencode( $booking_id ) . '/receipt' );
	}

	/**
	 * @param string $from YYYY-MM-DD.
	 * @param string $to   YYYY-MM-DD.
	 * @return array<string,mixed>|WP_Error
	 */
	public function host_statement( string $host_id, string $from, string $to ) {
		return $this->get_json( '/hosts/' . rawurlencode( $host_id ) . '/statement', array( 'from' => $from, 'to' => $to ) );
	}

	/**
	 * The same statement as CSV text.
	 *
	 * @return string|WP_Error
	 */
	public function host_statement_csv( string $host_id, string $from, string $to ) {
		$answer = $this->get( '/hosts/' . rawurlencode( $host_id ) . '/statement', array( 'from' => $from, 'to' => $to, 'format' => 'csv' ), 'text/csv' );
		return is_wp_error( $answer ) ? $answer : $answer['body'];
	}

	/**
	 * Readiness, through a signed request so that the key is exercised too ("Test connection").
	 *
	 * @return array<string,mixed>|WP_Error
	 */
	public function readyz() {
		return $this->get_json( '/readyz' );
	}

	/**
	 * @param array<string,string> $query
	 * @return array<string,mixed>|WP_Error
	 */
	public function get_json( string $path, array $query = array() ) {
		$answer = $this->get( $path, $query, 'application/json' );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$decoded = json_decode( $answer['body'], true );
		return is_array( $decoded ) ? $decoded : Problem::bad_response();
	}

	/**
	 * The path and query exactly as they go on the request line, and so as they are signed.
	 * RFC 3986 encoding, keys in the order given.
	 *
	 * @param array<string,string> $query
	 */
	public static function path_with_query( string $base_path, string $path, array $query ): string {
		$full = rtrim( $base_path, '/' ) . $path;
		if ( array() === $query ) {
			return $full;
		}
		return $full . '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
	}

	/**
	 * One signed GET. Returns status, content type and body, or a WP_Error for any non-2xx answer.
	 *
	 * @param array<string,string> $query
	 * @return array{status:int, content_type:string, body:string}|WP_Error
	 */
	private function get( string $path, array $query, string $accept ) {
		$config = $this->settings->connection();
		if ( is_wp_error( $config ) ) {
			return $config;
		}
		$base       = wp_parse_url( $config['url'] );
		$origin     = $base['scheme'] . '://' . $base['host'] . ( isset( $base['port'] ) ? ':' . $base['port'] : '' );
		$signed_for = self::path_with_query( $base['path'] ?? '', $path, $query );
		$header     = Signer::header( $config['key_id'], $config['secret'], ( $this->clock )(), 'GET', $signed_for, '' );
		$timeout_s  = (int) apply_filters( 'mybnb_payments_sidecar_timeout_s', self::DEFAULT_TIMEOUT_S );
		$response   = ( $this->transport )(
			$origin . $signed_for,
			array(
				'timeout'     => max( 1, min( 30, $timeout_s ) ),
				'redirection' => 0,
				'headers'     => array(
					Signer::HEADER => $header,
					'Accept'       => $accept . ', application/problem+json',
				),
			)
		);
		if ( is_wp_error( $response ) ) {
			return Problem::unreachable( $response->get_error_message() );
		}
		$status       = (int) wp_remote_retrieve_response_code( $response );
		$content_type = (string) wp_remote_retrieve_header( $response, 'content-type' );
		$body         = (string) wp_remote_retrieve_body( $response );
		if ( $status < 200 || $status > 299 ) {
			return Problem::from_response( $status, $content_type, $body );
		}
		return array( 'status' => $status, 'content_type' => $content_type, 'body' => $body );
	}
}
