<?php
/**
 * Plugin settings: stored options, each overridable by a wp-config.php constant.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments;

use MyBnB\Payments\Sidecar\Problem;
use WP_Error;

/**
 * A constant (MYBNB_SIDECAR_URL, MYBNB_KEY_ID, MYBNB_SECRET) always wins over the stored option.
 */
final class Settings {

	public const OPTION = 'mybnb_payments_settings';

	/** The secret, when not in wp-config.php: its own option, never autoloaded, never printed. */
	public const SECRET_OPTION = 'mybnb_payments_secret';

	/** Field => constant that fixes it. */
	public const CONSTANTS = array(
		'sidecar_url' => 'MYBNB_SIDECAR_URL',
		'key_id'      => 'MYBNB_KEY_ID',
		'secret'      => 'MYBNB_SECRET',
	);

	public const FIELDS = array( 'sidecar_url', 'key_id', 'secret', 'cancel_url_template' );

	/**
	 * The effective value of a field (constant first, then option, then '').
	 */
	public function get( string $field ): string {
		$constant = self::CONSTANTS[ $field ] ?? null;
		if ( null !== $constant && defined( $constant ) ) {
			return trim( (string) constant( $constant ) );
		}
		if ( 'secret' === $field ) {
			$secret = get_option( self::SECRET_OPTION, '' );
			if ( is_string( $secret ) && '' !== $secret ) {
				return $secret;
			}
		}
		// Older versions kept the secret in the settings array: still read, moved on the next save.
		$stored = get_option( self::OPTION, array() );
		return is_array( $stored ) && isset( $stored[ $field ] ) && is_string( $stored[ $field ] ) ? $stored[ $field ] : '';
	}

	/**
	 * Where the secret comes from: 'constant', 'option' or '' (not set). Never the secret itself.
	 */
	public function secret_source(): string {
		if ( $this->is_fixed( 'secret' ) ) {
			return 'constant';
		}
		return '' !== $this->get( 'secret' ) ? 'option' : '';
	}

	/**
	 * True when wp-config.php fixes the field (the settings page then shows it read-only).
	 */
	public function is_fixed( string $field ): bool {
		$constant = self::CONSTANTS[ $field ] ?? null;
		return null !== $constant && defined( $constant );
	}

	/**
	 * URL, key id and secret, or an error naming what is missing.
	 *
	 * @return array{url:string, key_id:string, secret:string}|WP_Error
	 */
	public function connection() {
		$url    = $this->get( 'sidecar_url' );
		$key_id = $this->get( 'key_id' );
		$secret = $this->get( 'secret' );
		if ( '' === $url || '' === $key_id || '' === $secret || ! self::is_http_url( $url ) ) {
			return new WP_Error( Problem::NOT_CONFIGURED, __( 'The payments service is not configured yet.', 'mybnb-payments' ), array( 'status' => 503 ) );
		}
		return array( 'url' => $url, 'key_id' => $key_id, 'secret' => $secret );
	}

	/**
	 * The booking engine's cancel page for this booking, carrying the outcome the guest saw as consent.
	 * Empty when no template is set.
	 */
	public function cancel_url( string $booking_id, string $outcome_hash ): string {
		$template = $this->get( 'cancel_url_template' );
		if ( '' === $template ) {
			return '';
		}
		return strtr(
			$template,
			array(
				'{booking_id}'   => rawurlencode( $booking_id ),
				'{outcome_hash}' => rawurlencode( $outcome_hash ),
			)
		);
	}

	/**
	 * Sanitizes the settings form. A blank secret keeps the stored one (it is never sent to the page),
	 * and fields fixed by constants are not stored at all.
	 *
	 * @param mixed $input Raw form input.
	 * @return array<string,string>
	 */
	public function sanitize( $input ): array {
		$input  = is_array( $input ) ? $input : array();
		$stored = get_option( self::OPTION, array() );
		$stored = is_array( $stored ) ? $stored : array();
		$clean  = array();
		foreach ( self::FIELDS as $field ) {
			if ( $this->is_fixed( $field ) ) {
				continue;
			}
			$value = isset( $input[ $field ] ) && is_string( $input[ $field ] ) ? trim( wp_unslash( $input[ $field ] ) ) : '';
			switch ( $field ) {
				case 'sidecar_url':
					$value = self::is_http_url( $value ) ? untrailingslashit( esc_url_raw( $value, array( 'http', 'https' ) ) ) : '';
					break;
				case 'key_id':
					$value = preg_match( '/^[A-Za-z0-9_.:-]{1,64}$/', $value ) ? $value : '';
					break;
				case 'secret':
					// Kept apart from the autoloaded settings: its own option, autoload off.
					$value = '' !== $value ? $value : $this->get( 'secret' );
					if ( '' !== $value ) {
						update_option( self::SECRET_OPTION, $value, false );
					}
					continue 2;
				case 'cancel_url_template':
					// esc_url_raw would encode the braces of the placeholders: check the scheme instead.
					$value = self::is_http_url( str_replace( array( '{booking_id}', '{outcome_hash}' ), 'x', $value ) ) ? $value : '';
					break;
			}
			$clean[ $field ] = $value;
		}
		return $clean;
	}

	private static function is_http_url( string $url ): bool {
		return (bool) preg_match( '#^https?://[^\s/?\#]+#i', $url ) && false !== wp_parse_url( $url );
	}
}
