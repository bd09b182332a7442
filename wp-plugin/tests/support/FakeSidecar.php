<?php
/**
 * A sidecar stand-in behind WordPress's own HTTP API (`pre_http_request`), so the plugin's real
 * client, settings and signing run unchanged. It checks every request's signature like the sidecar.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Tests;

use MyBnB\Payments\Settings;

final class FakeSidecar {

	/** @var array<string, array{0:int,1:string,2:string}> path-with-query => [status, content type, body] */
	private array $answers = array();

	/** @var array<int, array{url:string, method:string, headers:array<string,string>, body:mixed}> */
	public array $requests = array();

	/** @var \WP_Error|null answer every request with this transport error */
	public ?\WP_Error $transport_error = null;

	public function install(): void {
		add_filter( 'pre_http_request', array( $this, 'answer' ), 10, 3 );
	}

	public function uninstall(): void {
		remove_filter( 'pre_http_request', array( $this, 'answer' ), 10 );
	}

	/**
	 * @param array<string,mixed> $json
	 */
	public function json( string $path_with_query, array $json, int $status = 200 ): void {
		$this->answers[ $path_with_query ] = array( $status, 'application/json; charset=utf-8', (string) wp_json_encode( $json ) );
	}

	/**
	 * Appends markup to every string the fake sidecar answers with (JSON answers only), so a test can
	 * show that no sidecar string reaches a page unescaped.
	 */
	public function poison( string $markup ): void {
		$walk = static function ( $value ) use ( &$walk, $markup ) {
			if ( is_array( $value ) ) {
				return array_map( $walk, $value );
			}
			return is_string( $value ) ? $value . $markup : $value;
		};
		foreach ( $this->answers as $path => list( $status, $type, $body ) ) {
			if ( str_starts_with( $type, 'application/json' ) ) {
				$this->answers[ $path ] = array( $status, $type, (string) wp_json_encode( $walk( json_decode( $body, true ) ) ) );
			}
		}
	}

	public function raw( string $path_with_query, int $status, string $content_type, string $body ): void {
		$this->answers[ $path_with_query ] = array( $status, $content_type, $body );
	}

	/**
	 * @param false|array<string,mixed> $preempt
	 * @param array<string,mixed>       $args
	 * @return array<string,mixed>|\WP_Error
	 */
	public function answer( $preempt, $args, $url ) {
		$headers          = is_array( $args['headers'] ?? null ) ? $args['headers'] : array();
		$this->requests[] = array( 'url' => $url, 'method' => (string) ( $args['method'] ?? 'GET' ), 'headers' => $headers, 'body' => $args['body'] ?? null );
		if ( null !== $this->transport_error ) {
			return $this->transport_error;
		}
		$parts = wp_parse_url( $url );
		$path  = ( $parts['path'] ?? '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		if ( ! $this->signature_ok( (string) ( $headers['MyBnB-Signature'] ?? '' ), (string) ( $args['method'] ?? 'GET' ), $path ) ) {
			return self::response( 401, 'application/problem+json', (string) wp_json_encode( array( 'type' => 'about:blank', 'title' => 'Bad signature', 'status' => 401, 'code' => 'signature_invalid', 'detail' => 'signature does not match' ) ) );
		}
		if ( ! isset( $this->answers[ $path ] ) ) {
			return self::response( 404, 'application/problem+json', (string) wp_json_encode( array( 'type' => 'about:blank', 'title' => 'Not found', 'status' => 404, 'code' => 'not_found', 'detail' => 'no such thing: ' . $path ) ) );
		}
		list( $status, $type, $body ) = $this->answers[ $path ];
		return self::response( $status, $type, $body );
	}

	/**
	 * The sidecar's rule, written out independently of the plugin's Signer.
	 */
	private function signature_ok( string $header, string $method, string $path ): bool {
		if ( ! preg_match( '/^keyId=([^,]+),t=(\d+),v1=([0-9a-f]{64})$/', $header, $m ) ) {
			return false;
		}
		$settings = new Settings();
		if ( $m[1] !== $settings->get( 'key_id' ) || abs( time() - (int) $m[2] ) > 300 ) {
			return false;
		}
		$expected = hash_hmac( 'sha256', $m[2] . '.' . $method . '.' . $path . '.' . hash( 'sha256', '' ), $settings->get( 'secret' ) );
		return hash_equals( $expected, $m[3] );
	}

	/**
	 * @return array<string,mixed>
	 */
	private static function response( int $status, string $type, string $body ): array {
		return array(
			'headers'  => new \WpOrg\Requests\Utility\CaseInsensitiveDictionary( array( 'content-type' => $type ) ),
			'body'     => $body,
			'response' => array( 'code' => $status, 'message' => '' ),
			'cookies'  => array(),
			'filename' => null,
		);
	}
}
