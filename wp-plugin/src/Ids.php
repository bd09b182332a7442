<?php
/**
 * Shapes of the identifiers and dates the plugin passes on to the sidecar.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments;

/**
 * One place for the patterns, so routes, blocks and forms accept the same things.
 */
final class Ids {

	/** Route fragment for a booking or host id. */
	public const ID_ROUTE = '[A-Za-z0-9_.:-]{1,64}';

	public static function is_id( string $value ): bool {
		return (bool) preg_match( '/^' . self::ID_ROUTE . '$/', $value );
	}

	/**
	 * A real calendar date written YYYY-MM-DD.
	 */
	public static function is_date( string $value ): bool {
		if ( ! preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $value, $m ) ) {
			return false;
		}
		return checkdate( (int) $m[2], (int) $m[3], (int) $m[1] );
	}

	/**
	 * First and last day of the current month in the site's time zone.
	 *
	 * @return array{0:string,1:string}
	 */
	public static function this_month(): array {
		$now = new \DateTimeImmutable( 'now', wp_timezone() );
		return array( $now->format( 'Y-m-01' ), $now->format( 'Y-m-t' ) );
	}
}
