<?php
/**
 * The one place that turns sidecar answers into WP_Error.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Sidecar;

use WP_Error;

/**
 * Maps an HTTP answer from the sidecar (problem+json or otherwise) to a WP_Error with a stable code.
 * Sidecar codes become `mybnb_<code>` with the sidecar's status; anything else gets a code of ours.
 */
final class Problem {

	/** The transport failed (refused, timed out, DNS): the sidecar never answered. */
	public const UNREACHABLE = 'mybnb_sidecar_unreachable';
	/** The sidecar answered an error without a usable problem+json body. */
	public const BAD_GATEWAY = 'mybnb_bad_gateway';
	/** The sidecar answered 2xx with a body that is not the JSON object we expect. */
	public const BAD_RESPONSE = 'mybnb_bad_response';
	/** The plugin has no sidecar URL, key id or secret. */
	public const NOT_CONFIGURED = 'mybnb_not_configured';

	/**
	 * @param int    $status       HTTP status of the sidecar's answer (>= 400).
	 * @param string $content_type Content-Type header.
	 * @param string $body         Raw body.
	 */
	public static function from_response( int $status, string $content_type, string $body ): WP_Error {
		$problem = self::decode_problem( $content_type, $body );
		if ( null === $problem ) {
			return new WP_Error(
				self::BAD_GATEWAY,
				/* translators: %d: HTTP status code */
				sprintf( __( 'The payments service answered with HTTP %d.', 'mybnb-payments' ), $status ),
				array( 'status' => $status >= 500 ? 502 : $status )
			);
		}
		$code    = $problem['code'];
		$message = '';
		if ( isset( $problem['detail'] ) && is_string( $problem['detail'] ) && '' !== $problem['detail'] ) {
			$message = $problem['detail'];
		} elseif ( isset( $problem['title'] ) && is_string( $problem['title'] ) ) {
			$message = $problem['title'];
		}
		$problem_status = isset( $problem['status'] ) && is_int( $problem['status'] ) && $problem['status'] >= 400 && $problem['status'] <= 599
			? $problem['status'] : $status;
		return new WP_Error( 'mybnb_' . $code, $message, array( 'status' => $problem_status ) );
	}

	/**
	 * The transport's own failure (no HTTP answer at all).
	 */
	public static function unreachable( string $why ): WP_Error {
		return new WP_Error(
			self::UNREACHABLE,
			/* translators: %s: low-level reason, e.g. "Connection refused" */
			sprintf( __( 'The payments service could not be reached: %s', 'mybnb-payments' ), $why ),
			array( 'status' => 503 )
		);
	}

	/**
	 * A 2xx answer whose body we cannot use.
	 */
	public static function bad_response(): WP_Error {
		return new WP_Error( self::BAD_RESPONSE, __( 'The payments service sent an answer that could not be read.', 'mybnb-payments' ), array( 'status' => 502 ) );
	}

	/**
	 * Returns the problem object if the body is problem+json (or JSON) with a safe `code`, else null.
	 *
	 * @return array<string,mixed>|null
	 */
	private static function decode_problem( string $content_type, string $body ): ?array {
		if ( ! preg_match( '#^application/(problem\+)?json#i', trim( $content_type ) ) ) {
			return null;
		}
		$decoded = json_decode( $body, true );
		if ( ! is_array( $decoded ) || ! isset( $decoded['code'] ) || ! is_string( $decoded['code'] ) ) {
			return null;
		}
		// Codes become part of our own error codes: accept the sidecar's snake_case vocabulary only.
		if ( ! preg_match( '/^[a-z][a-z0-9_]{0,63}$/', $decoded['code'] ) ) {
			return null;
		}
		return $decoded;
	}
}
