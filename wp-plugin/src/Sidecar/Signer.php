<?php
/**
 * Request signing, exactly as docs/signing.md specifies.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Sidecar;

/**
 * Builds the `MyBnB-Signature` header value. Pure: no WordPress, no clock (the caller passes `t`),
 * so a test can reproduce the documented vector byte for byte.
 */
final class Signer {

	public const HEADER = 'MyBnB-Signature';

	/**
	 * The string the HMAC covers: t "." METHOD "." path-with-query "." sha256hex(body).
	 *
	 * @param int    $t               Unix seconds.
	 * @param string $method          HTTP method, upper case.
	 * @param string $path_with_query Path and query exactly as sent on the request line.
	 * @param string $body            Raw request body ('' for GET).
	 */
	public static function signed_payload( int $t, string $method, string $path_with_query, string $body ): string {
		return $t . '.' . strtoupper( $method ) . '.' . $path_with_query . '.' . hash( 'sha256', $body );
	}

	/**
	 * Hex HMAC-SHA256 of the signed payload.
	 */
	public static function v1( string $secret, int $t, string $method, string $path_with_query, string $body ): string {
		return hash_hmac( 'sha256', self::signed_payload( $t, $method, $path_with_query, $body ), $secret );
	}

	/**
	 * The full header value: keyId=<id>,t=<unix seconds>,v1=<hex>.
	 */
	public static function header( string $key_id, string $secret, int $t, string $method, string $path_with_query, string $body = '' ): string {
		return 'keyId=' . $key_id . ',t=' . $t . ',v1=' . self::v1( $secret, $t, $method, $path_with_query, $body );
	}
}
