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

	private const DEFAULT_TIMEOUT_S = 3;

	/** @var callable(string, array<string,mixed>): (array<string,mixed>|WP_Error) */
	private $transport;

	/** @var callable(): int */
	private $clock;

	public readonly Cache $cache;

	/**
	 * @param Settings      $settings  Where URL, key id and secret come from.
	 * @param callable|null $transport fn(string $url, array $args): array|WP_Error, shaped like wp_remote_get().
	 * @param callable|null $clock     fn(): int unix seconds (tests pin it).
	 */
	public function __construct( private Settings $settings, ?callable $transport = null, ?callable $clock = null ) {
		$this->transport = $transport ?? static fn ( string $url, array $args ) => wp_remote_get( $url, $args );
		$this->clock     = $clock ?? static fn (): int => time();
		$this->cache     = new Cache();
	}

	/**
	 * A guest's bookings, newest first, one page at a time.
	 *
	 * @return array<string,mixed>|WP_Error
	 */
	public function guest_bookings( string $guest_id, string $cursor = '', int $limit = 10 ) {
		$query = array( 'limit' => (string) max( 1, min( 100, $limit ) ) );
		if ( '' !== $cursor ) {
			$query['cursor'] = $cursor;
		}
		return $this->get_json( '/guests/' . rawurlencode( $guest_id ) . '/bookings', $query );
	}

	/**
	 * Reads a page will need, all at once: the ones not cached go out in parallel
	 * (WpOrg\Requests\Requests::request_multiple), and land in the cache the later calls read.
	 * Errors are not kept: the later call asks again and maps them as usual.
	 *
	 * @param array<int, array{0:string, 1?:array<string,string>}> $reads [path, query] pairs.
	 */
	public function prefetch( array $reads ): void {
		$config = $this->settings->connection();
		if ( is_wp_error( $config ) || '' !== $this->cache->down() ) {
			return;
		}
		$batch = array();
		foreach ( $reads as $read ) {
			$signed_for = $this->signed_for( $config['url'], $read[0], $read[1] ?? array() );
			$key        = $this->cache->key( self::origin( $config['url'] ) . ' application/json', $config['key_id'], $signed_for );
			if ( null === $this->cache->get( $key ) ) {
				$batch[ $key ] = $signed_for;
			}
		}
		if ( count( $batch ) < 2 ) {
			return; // Zero or one read: the ordinary path is as fast.
		}
		$answers = $this->transport_many( $config, $batch, 'application/json' );
		foreach ( $answers as $key => $answer ) {
			if ( is_array( $answer ) && $answer['status'] >= 200 && $answer['status'] <= 299 ) {
				$this->cache->put( $key, $answer, self::ttl_for( $answer ) );
			}
		}
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
	 * Readiness, asked now (never from the cache).
	 *
	 * @return array<string,mixed>|WP_Error
	 */
	public function readyz() {
		return $this->probe_json( '/readyz' );
	}

	/**
	 * A signed round trip ("Test connection", Site Health): which key the sidecar verified, its
	 * role, and the clock skew between this site and the sidecar (seconds, positive when the
	 * sidecar is ahead).
	 *
	 * @return array{key_id:string, role:string, server_time:string, skew_s:int, elapsed_ms:int}|WP_Error
	 */
	public function whoami() {
		$sent_at = ( $this->clock )();
		$answer  = $this->probe_json( '/whoami' );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$server = isset( $answer['server_time'] ) && is_string( $answer['server_time'] ) ? strtotime( $answer['server_time'] ) : false;
		return array(
			'key_id'      => isset( $answer['key_id'] ) && is_string( $answer['key_id'] ) ? $answer['key_id'] : '',
			'role'        => isset( $answer['role'] ) && is_string( $answer['role'] ) ? $answer['role'] : '',
			'server_time' => isset( $answer['server_time'] ) && is_string( $answer['server_time'] ) ? $answer['server_time'] : '',
			'skew_s'      => false === $server ? 0 : $server - $sent_at,
			'elapsed_ms'  => (int) ( $answer['_elapsed_ms'] ?? 0 ),
		);
	}

	/**
	 * @return array<string,mixed>|WP_Error
	 */
	private function probe_json( string $path ) {
		$answer = $this->probe( $path );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( $answer['status'] < 200 || $answer['status'] > 299 ) {
			return Problem::from_response( $answer['status'], $answer['content_type'], $answer['body'] );
		}
		$decoded = json_decode( $answer['body'], true );
		if ( ! is_array( $decoded ) ) {
			return Problem::bad_response();
		}
		$decoded['_elapsed_ms'] = $answer['elapsed_ms'];
		return $decoded;
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
	 * One signed GET, through the cache. Returns status, content type and body, or a WP_Error for
	 * any non-2xx answer (errors are never cached).
	 *
	 * @param array<string,string> $query
	 * @return array{status:int, content_type:string, body:string}|WP_Error
	 */
	private function get( string $path, array $query, string $accept ) {
		$config = $this->settings->connection();
		if ( is_wp_error( $config ) ) {
			return $config;
		}
		$signed_for = $this->signed_for( $config['url'], $path, $query );
		$key        = $this->cache->key( self::origin( $config['url'] ) . ' ' . $accept, $config['key_id'], $signed_for );
		$hit        = $this->cache->get( $key );
		if ( null !== $hit ) {
			return $hit;
		}
		$down = $this->cache->down();
		if ( '' !== $down ) {
			return Problem::unreachable( $down );
		}
		$answer = $this->transport_one( $config, $signed_for, $accept );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( $answer['status'] < 200 || $answer['status'] > 299 ) {
			return Problem::from_response( $answer['status'], $answer['content_type'], $answer['body'] );
		}
		$this->cache->put( $key, $answer, self::ttl_for( $answer ) );
		return $answer;
	}

	/**
	 * Asks the sidecar now, bypassing the cache and the "down" mark ("Test connection", Site Health).
	 *
	 * @return array{status:int, content_type:string, body:string, elapsed_ms:int, date:string}|WP_Error
	 */
	public function probe( string $path ) {
		$config = $this->settings->connection();
		if ( is_wp_error( $config ) ) {
			return $config;
		}
		$started = microtime( true );
		$answer  = $this->transport_one( $config, $this->signed_for( $config['url'], $path, array() ), 'application/json' );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$this->cache->mark_up();
		$answer['elapsed_ms'] = (int) round( ( microtime( true ) - $started ) * 1000 );
		return $answer;
	}

	/**
	 * @param array{url:string, key_id:string, secret:string} $config
	 * @return array{status:int, content_type:string, body:string, date:string}|WP_Error
	 */
	private function transport_one( array $config, string $signed_for, string $accept ) {
		$response = ( $this->transport )( self::origin( $config['url'] ) . $signed_for, $this->args( $config, $signed_for, $accept ) );
		if ( is_wp_error( $response ) ) {
			$this->cache->mark_down( $response->get_error_message() );
			return Problem::unreachable( $response->get_error_message() );
		}
		return array(
			'status'       => (int) wp_remote_retrieve_response_code( $response ),
			'content_type' => (string) wp_remote_retrieve_header( $response, 'content-type' ),
			'body'         => (string) wp_remote_retrieve_body( $response ),
			'date'         => (string) wp_remote_retrieve_header( $response, 'date' ),
		);
	}

	/**
	 * Several signed GETs at once. Each goes through `pre_http_request` first, as WordPress's own
	 * HTTP API would (so a site's or a test's stand-in still answers); the rest in parallel.
	 *
	 * @param array{url:string, key_id:string, secret:string} $config
	 * @param array<string,string>                            $batch key => signed path with query.
	 * @return array<string, array{status:int, content_type:string, body:string, date:string}|null>
	 */
	private function transport_many( array $config, array $batch, string $accept ): array {
		$origin  = self::origin( $config['url'] );
		$answers = array();
		$wire    = array();
		foreach ( $batch as $key => $signed_for ) {
			$args = $this->args( $config, $signed_for, $accept );
			$pre  = apply_filters( 'pre_http_request', false, $args, $origin . $signed_for );
			if ( false === $pre ) {
				$wire[ $key ] = array(
					'url'     => $origin . $signed_for,
					'headers' => $args['headers'],
					'type'    => \WpOrg\Requests\Requests::GET,
				);
				continue;
			}
			$answers[ $key ] = is_wp_error( $pre ) ? null : array(
				'status'       => (int) wp_remote_retrieve_response_code( $pre ),
				'content_type' => (string) wp_remote_retrieve_header( $pre, 'content-type' ),
				'body'         => (string) wp_remote_retrieve_body( $pre ),
				'date'         => (string) wp_remote_retrieve_header( $pre, 'date' ),
			);
		}
		if ( array() === $wire ) {
			return $answers;
		}
		$timeout_s = self::timeout_s();
		$options   = array(
			'timeout'          => $timeout_s,
			'connect_timeout'  => $timeout_s,
			'follow_redirects' => false,
			'useragent'        => 'MyBnB-Payments/' . ( defined( 'MYBNB_PAYMENTS_VERSION' ) ? MYBNB_PAYMENTS_VERSION : '0' ) . '; ' . home_url( '/' ),
			'verify'           => ABSPATH . WPINC . '/certificates/ca-bundle.crt',
		);
		$responses = \WpOrg\Requests\Requests::request_multiple( $wire, $options );
		foreach ( $responses as $key => $response ) {
			if ( ! $response instanceof \WpOrg\Requests\Response ) {
				$answers[ $key ] = null;
				if ( $response instanceof \Throwable ) {
					$this->cache->mark_down( $response->getMessage() );
				}
				continue;
			}
			$answers[ $key ] = array(
				'status'       => (int) $response->status_code,
				'content_type' => (string) ( $response->headers['content-type'] ?? '' ),
				'body'         => (string) $response->body,
				'date'         => (string) ( $response->headers['date'] ?? '' ),
			);
		}
		return $answers;
	}

	/**
	 * @param array{url:string, key_id:string, secret:string} $config
	 * @return array{timeout:int, redirection:int, headers:array<string,string>}
	 */
	private function args( array $config, string $signed_for, string $accept ): array {
		return array(
			'timeout'     => self::timeout_s(),
			'redirection' => 0,
			'headers'     => array(
				Signer::HEADER => Signer::header( $config['key_id'], $config['secret'], ( $this->clock )(), 'GET', $signed_for, '' ),
				'Accept'       => $accept . ', application/problem+json',
			),
		);
	}

	/** Seconds before a read gives up (filter `mybnb_payments_sidecar_timeout_s`, 1-30, default 3). */
	public static function timeout_s(): int {
		return max( 1, min( 30, (int) apply_filters( 'mybnb_payments_sidecar_timeout_s', self::DEFAULT_TIMEOUT_S ) ) );
	}

	private function signed_for( string $url, string $path, array $query ): string {
		$base = wp_parse_url( $url );
		return self::path_with_query( $base['path'] ?? '', $path, $query );
	}

	private static function origin( string $url ): string {
		$base = wp_parse_url( $url );
		return $base['scheme'] . '://' . $base['host'] . ( isset( $base['port'] ) ? ':' . $base['port'] : '' );
	}

	/**
	 * A preview is a moment's answer, and its countdown and hash are the guest's consent: it is
	 * shared within one page view only, never kept across requests. Everything else: the TTL.
	 *
	 * @param array{body:string} $answer
	 */
	private static function ttl_for( array $answer ): int {
		$decoded = str_contains( $answer['body'], '"outcome_hash"' ) ? json_decode( $answer['body'], true ) : null;
		return is_array( $decoded ) && isset( $decoded['outcome_hash'] ) ? 0 : Cache::ttl_s();
	}
}
